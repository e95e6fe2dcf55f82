"""Tests for benchmarks/: the hand-written float network, the data, and a tiny run of every case.

No timing is asserted: the cases run at toy sizes only to show that they work
and return well-formed results, with the peers installed or not. What is
asserted is that every row does the same work as the engine (the same graph,
the same update), and that the targets are judged on the run's own numbers.
"""

from __future__ import annotations

import contextlib
import gc
import io
import itertools
import json
import random
import sys
from pathlib import Path
from typing import Any

import pytest

from tinygrad_edu import topological_order
from tinygrad_edu.losses import l2, svm_loss
from tinygrad_edu.nn import MLP

# benchmarks/ is a package next to tinygrad_edu, not installed: import it from the project root
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import floors, harness, peers, problems, readme, report, run
from benchmarks.cases import bigger_network, digits, moons_step

RUN_PY = Path(run.__file__)
STATUSES = {"ok", "not installed", "RecursionError", "cannot express", "skipped"}

# Toy sizes for a whole run: every case, a few seconds.
TINY: dict[str, Any] = dict(
    quick=True,
    repeats=1,
    slow_repeats=1,
    moons_points=4,
    chain_sizes=(100, 1000),
    chain_tracemalloc=True,
    torch_chain_cap=1000,
    digits_samples=4,
    digits_batch=2,
    digits_repeats=1,
    torch_digit_batches=1,
    real_digits_samples=4,
    real_digits_batch=3,  # a full batch and a shorter last one: two traces
    real_digits_repeats=1,
    real_digits_micrograd_batches=1,
)


@pytest.fixture
def no_peers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make micrograd and torch unimportable (None in sys.modules makes `import` raise ImportError)."""
    for name in ("micrograd", "micrograd.engine", "micrograd.nn", "torch"):
        monkeypatch.setitem(sys.modules, name, None)


def engine_gradients(layers: Any, X: list[list[float]], y: list[int]) -> tuple[float, list[float]]:
    """The hinge + L2 loss and its gradients straight from tinygrad_edu, not through the cases' engines."""
    model = MLP(len(layers[0][0][0]), [len(b) for _, b in layers], seed=0)
    params = model.parameters()
    for p, w in zip(params, problems.flatten(layers)):
        p.data = w
    total = svm_loss([model(x) for x in X], y) + 1e-4 * l2(params)
    total.backward()
    return total.data, [p.grad for p in params]


def assert_float_network_matches(layers: Any, X: list[list[float]], y: list[int]) -> None:
    loss_f, grads_f = floors.float_hinge_loss_and_grads(layers, X, y)
    loss_e, grads_e = engine_gradients(layers, X, y)
    flat_f = problems.flatten(grads_f)
    assert len(flat_f) == len(grads_e)
    assert abs(loss_f - loss_e) <= 1e-12
    worst = max(abs(a - b) for a, b in zip(flat_f, grads_e))
    assert worst <= 1e-12, f"float gradients differ from tinygrad_edu's by {worst!r}"
    assert sum(g != 0.0 for g in grads_e) > len(grads_e) // 2  # the comparison is not between zeros


# ------------------------------------------------------ the hand-written float network


def test_float_network_matches_tinygrad_edu_on_the_moons_step() -> None:
    X, y = problems.moons_data(100)
    layers = problems.initial_layers(2, [16, 16, 1], seed=1)
    assert_float_network_matches(layers, X, y)
    assert floors.check_float_network(layers, X, y) <= 1e-12


@pytest.mark.parametrize("seed", range(4))
def test_float_network_matches_tinygrad_edu_on_a_random_small_net(seed: int) -> None:
    rng = random.Random(seed)
    sizes = [3, 5, 4, 1]
    layers = [
        (
            [[rng.uniform(-1, 1) for _ in range(m)] for _ in range(n)],
            [rng.uniform(-0.5, 0.5) for _ in range(n)],
        )
        for m, n in itertools.pairwise(sizes)
    ]
    X = [[rng.uniform(-2, 2) for _ in range(3)] for _ in range(20)]
    y = [rng.choice((-1, 1)) for _ in range(20)]
    assert_float_network_matches(layers, X, y)


def test_the_float_check_catches_a_wrong_gradient(monkeypatch: pytest.MonkeyPatch) -> None:
    X, y = problems.moons_data(10)
    layers = problems.initial_layers(2, [16, 16, 1], seed=1)
    right = floors.float_hinge_loss_and_grads

    def off_by_a_little(*args: Any) -> Any:
        loss, grads = right(*args)
        grads[0][1][0] += 1e-9  # the first hidden neuron's bias
        return loss, grads

    monkeypatch.setattr(floors, "float_hinge_loss_and_grads", off_by_a_little)
    with pytest.raises(AssertionError, match="differ from tinygrad_edu"):
        floors.check_float_network(layers, X, y)


# -------------------------------------------------------------------- data


def test_the_synthetic_digits_are_deterministic() -> None:
    X, y = bigger_network.make_digits(60, seed=5)
    assert (X, y) == bigger_network.make_digits(60, seed=5)
    assert X != bigger_network.make_digits(60, seed=6)[0]
    assert len(X) == 60 and all(len(x) == 64 for x in X)
    assert sorted(y) == sorted(list(range(10)) * 6)  # balanced classes
    # each sample is its glyph, flipped and noised: almost always nearest to its own prototype
    protos = [[1.0 if c == "#" else 0.0 for row in g for c in row] for g in bigger_network.GLYPHS]
    nearest = [min(range(10), key=lambda j: sum((a - b) ** 2 for a, b in zip(x, protos[j]))) for x in X]
    assert sum(k == t for k, t in zip(nearest, y)) >= 0.9 * len(y)


def test_moons_data_has_labels_plus_minus_one() -> None:
    X, y = problems.moons_data(10)
    assert len(X) == 10 and set(y) == {-1, 1}
    assert (X, y) == problems.moons_data(10)


# ---------------------------------------------------------------- settings


def test_quick_mode_is_smaller_than_the_default() -> None:
    args = run.parse_args(["--quick"])
    assert args.quick and args.json == RUN_PY.parent / "results.json"
    quick, full = run.settings_for(True), run.settings_for(False)
    assert quick.quick and not full.quick
    assert quick.repeats < full.repeats and quick.digits_samples < full.digits_samples
    assert quick.torch_digit_batches == 0 and not quick.chain_tracemalloc
    assert full.real_digits_samples is None and quick.real_digits_samples is not None  # None: all 1,350
    assert quick.real_digits_micrograd_batches < full.real_digits_micrograd_batches
    assert run.parse_args(["--json", "x.json"]).json == Path("x.json")


# ------------------------------------------------------- each case, tiny


def assert_rows(rows: dict[str, Any]) -> None:
    for name, row in rows.items():
        assert row["status"] in STATUSES, (name, row)
        if row["status"] != "ok":
            assert row["reason"], name


Run = tuple[dict[str, Any], str]  # a tiny run's JSON and what it printed


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """A whole run at toy sizes through ``main``: (the JSON it wrote, what it printed)."""
    out = tmp_path_factory.mktemp("bench") / "results.json"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(io.StringIO()):
        assert run.main(["--json", str(out)], settings=run.Settings(**TINY)) == 0
    return json.loads(out.read_text()), printed.getvalue()


def test_moons_step_case_tiny(tiny_run: Run) -> None:
    result = tiny_run[0]["cases"]["moons_step"]
    rows = result["engines"]
    assert list(rows) == [
        "tinygrad_edu",
        "tinygrad_edu (gc paused)",
        "tinygrad_edu traced",
        "micrograd",
        "micrograd (gc paused)",
        "PyTorch scalars",
        "plain floats (hand-written)",
    ]
    assert_rows(rows)
    ours = rows["tinygrad_edu"]
    assert ours["status"] == "ok" and ours["ms_per_step"] > 0
    # 4 points of 68 interior nodes each (see the by-phase test), 5 for the loss, 337 parameters
    # and 4 labels (constant leaves)
    assert ours["nodes_per_step"] == 4 * 68 + 5 + 337 + 4
    assert rows["plain floats (hand-written)"]["status"] == "ok"
    traced = rows["tinygrad_edu traced"]
    assert traced["status"] == "ok" and traced["trace_s"] > 0
    assert traced["max_weight_difference_vs_tinygrad_edu"] == 0.0  # the replay is bit for bit
    assert rows["tinygrad_edu (gc paused)"]["max_weight_difference_vs_tinygrad_edu"] == 0.0
    losses = {row["loss"] for row in rows.values() if row["status"] == "ok"}
    assert max(losses) - min(losses) < 1e-9  # every implementation computed the same step
    assert set(result["ratios_ours_over_peer"]) == set(rows) - {"tinygrad_edu"}
    assert result["float_gradient_max_error"] <= 1e-12
    phases = result["tinygrad_edu_phases_ms"]
    assert list(phases) == [*moons_step.PHASES, "sum"] and all(ms >= 0 for ms in phases.values())
    assert phases["sum"] == pytest.approx(sum(phases[p] for p in moons_step.PHASES))


def test_deep_chain_case_tiny(tiny_run: Run) -> None:
    result = tiny_run[0]["cases"]["deep_chain"]
    assert result["recursion_limit"] == sys.getrecursionlimit()  # restored after micrograd's chains
    for rows in result["engines"].values():
        assert set(rows) == {"100", "1000"}
        assert_rows(rows)
    ours = result["engines"]["tinygrad_edu"]
    assert ours["1000"]["status"] == "ok" and ours["1000"]["nodes"] == 1003
    assert result["growth_ratio"]["sizes"] == [100, 1000]
    assert result["growth_ratio"]["ratio_by_engine"]["tinygrad_edu"] > 0
    paused = result["engines"]["tinygrad_edu (gc paused)"]
    assert paused["1000"]["status"] == "ok" and paused["1000"]["nodes"] == 1003
    assert all(row["full_collections"] >= 0 for row in ours.values())
    assert all(row["full_collections"] == 0 for row in paused.values())  # the collector was off
    memory = result["memory_largest_tinygrad_edu"]
    assert memory["tracemalloc_peak_bytes_per_node"] > 0 and "peak_rss_growth_mb" in memory
    micrograd = result["engines"]["micrograd"]
    if micrograd["100"]["status"] != "not installed":
        assert micrograd["100"]["status"] == "ok"  # 100 nodes: fine
        assert micrograd["1000"]["status"] == "RecursionError"  # too deep at the default limit 1000
        assert 100 < result["micrograd_longest_chain_nodes"] < 1003


def test_memory_case_tiny(tiny_run: Run) -> None:
    result = tiny_run[0]["cases"]["memory"]
    assert_rows(result["engines"])
    ours = result["engines"]["tinygrad_edu"]
    assert ours["nodes_created"] == ours["graph_nodes"] - 337  # the parameters existed before
    assert 50 < ours["bytes_per_node"] < 2000


def test_bigger_network_case_tiny(tiny_run: Run) -> None:
    result = tiny_run[0]["cases"]["bigger_network"]
    rows = result["engines"]
    assert_rows(rows)
    assert result["mini_batches"] == 2
    ours = rows["tinygrad_edu"]
    assert ours["status"] == "ok" and ours["s_per_epoch"] > 0 and ours["mini_batches_run"] == 2
    if rows["micrograd"]["status"] != "not installed":
        assert rows["micrograd"]["status"] == "cannot express"
        assert rows["micrograd + exp/log"]["status"] == "ok"
    if rows["PyTorch scalars"]["status"] == "ok":
        assert (
            rows["PyTorch scalars"]["mini_batches_run"] == 1
            and "extrapolated" in rows["PyTorch scalars"]["note"]
        )


def test_digits_case_tiny(tiny_run: Run) -> None:
    result = tiny_run[0]["cases"]["digits"]
    rows = result["engines"]
    assert list(rows) == [
        "tinygrad_edu",
        "tinygrad_edu traced",
        "micrograd",
        "micrograd + exp/log",
        "PyTorch vectorised",
    ]
    assert_rows(rows)
    assert result["samples"] == 4 and result["mini_batches"] == 2  # 3 + 1 images
    ours, traced = rows["tinygrad_edu"], rows["tinygrad_edu traced"]
    assert ours["status"] == traced["status"] == "ok" and ours["mini_batches_run"] == 2
    assert traced["trace_s"] > 0 and "batches of 3 and 1" in traced["note"]
    # the traced replay computes what the eager graph does, step after step
    assert traced["last_batch_loss"] == pytest.approx(ours["last_batch_loss"], rel=1e-12)
    if rows["micrograd"]["status"] != "not installed":
        assert rows["micrograd"]["status"] == "cannot express"
        mg = rows["micrograd + exp/log"]
        assert mg["status"] == "ok" and mg["mini_batches_run"] == 1 and "extrapolated" in mg["note"]
    torch_row = rows["PyTorch vectorised"]
    if torch_row["status"] == "ok":
        assert torch_row["mini_batches_run"] == 2
        assert torch_row["last_batch_loss"] == pytest.approx(ours["last_batch_loss"], rel=1e-9)
    assert set(result["ratios_ours_over_peer"]) == set(rows) - {"tinygrad_edu"}
    assert "5. real digits (UCI)" in tiny_run[1]


def test_real_digits_are_the_examples_training_images() -> None:
    X, y = digits.real_digits()
    assert len(X) == len(y) == 1350 and all(len(x) == 64 for x in X)
    assert all(0.0 <= p <= 1.0 for x in X for p in x) and set(y) == set(range(10))
    assert digits.real_digits(5) == (X[:5], y[:5])


def test_the_traced_and_vectorised_rows_do_the_eager_rows_work() -> None:
    """A few SGD steps of every full-epoch row end with the same weights' losses as the eager one."""
    X, y = digits.real_digits(12)
    layers = problems.initial_layers(*bigger_network.DIGITS_SIZES, seed=digits.SPLIT_SEED)
    eager = bigger_network.TinygradDigits(layers, X, y, 5).epoch()
    traced = digits.TinygradDigitsTraced(layers, X, y, 5)
    assert sorted(traced.steps) == [2, 5]  # 5 + 5 + 2 images
    assert traced.epoch() == pytest.approx(eager, rel=1e-13)
    torch = peers.import_peer("torch")
    if torch is not None:
        assert digits.TorchVectorDigits(torch, layers, X, y, 5).epoch() == pytest.approx(eager, rel=1e-12)


def test_a_whole_tiny_run_writes_the_json_and_the_table(tiny_run: Run) -> None:
    results, printed = tiny_run
    for title in (
        "1. moons step",
        "2. deep chain",
        "3. memory",
        "4. bigger network",
        "5. real digits",
        "by phase",
    ):
        assert title in printed
    assert set(results) >= {"schema", "machine", "peers", "settings", "method", "cases", "total_seconds"}
    assert set(results["cases"]) == {"moons_step", "deep_chain", "memory", "bigger_network", "digits"}
    assert set(results["machine"]) >= {"cpu", "cores", "python", "date"}
    for case in results["cases"].values():
        assert "ratios_ours_over_peer" in case and "engines" in case


def test_the_targets_are_judged_on_the_runs_own_numbers(tiny_run: Run) -> None:
    results, printed = tiny_run
    assert report.TARGETS_TITLE in printed and "issue" not in printed
    by_name = {t["target"]: t for t in results["targets"]}
    assert list(by_name) == [
        "moons step: faster than micrograd",
        "traced step ÷ plain-float step",
        "moons graph: share of micrograd's bytes",
    ]
    assert [t["goal"] for t in by_name.values()] == ["≥ 40×", "≤ 1×", "≤ 1/20"]
    moons = results["cases"]["moons_step"]["engines"]
    traced = by_name["traced step ÷ plain-float step"]
    plain = moons["plain floats (hand-written)"]["ms_per_step"]
    assert traced["measured"] == moons["tinygrad_edu traced"]["ms_per_step"] / plain
    assert traced["met"] == (traced["measured"] <= 1.0)
    speedup = by_name["moons step: faster than micrograd"]
    share = by_name["moons graph: share of micrograd's bytes"]
    memory = results["cases"]["memory"]["engines"]
    if moons["micrograd"]["status"] == "ok":  # micrograd is not installed everywhere (CI)
        assert speedup["measured"] == moons["micrograd"]["ms_per_step"] / moons["tinygrad_edu"]["ms_per_step"]
        assert speedup["met"] == (speedup["measured"] >= 40.0)
        assert share["measured"] == memory["tinygrad_edu"]["graph_mb"] / memory["micrograd"]["graph_mb"]
        assert share["met"] == (share["measured"] <= 1 / 20)
    else:
        assert speedup["met"] is share["met"] is None
    # the other ratios are listed for reference, without a goal or a verdict
    reference = {r["what"]: r["measured"] for r in results["reference"]}
    assert reference["moons step ÷ plain-float step"] == moons["tinygrad_edu"]["ms_per_step"] / plain
    assert all(set(r) == {"what", "measured"} for r in results["reference"])
    assert printed.count("for reference") == len(reference)


def test_the_step_by_phase_is_the_engines_step_bit_for_bit() -> None:
    """The breakdown is only worth reading if it times the same work: the graph the engine builds
    (one Σ and one ReLU node per hidden neuron, ...) and, bit for bit, the update of backward()."""
    X, y = problems.moons_data(12)
    layers = problems.initial_layers(*problems.MOONS_SIZES, seed=problems.MOONS_WEIGHT_SEED)
    ours, phased = moons_step.TinygradMoons(layers, X, y), moons_step.TinygradMoonsPhases(layers, X, y)
    interior = sum(1 for node in topological_order(ours.build()) if node.inputs)
    # per point: 16 + 16 Σ and ReLU nodes per hidden layer, the output Σ, and relu(1 − y·s);
    # then Σ of the hinges, its mean, l2 (one Σ node w·w), 1e-4·l2 and the sum
    assert interior == 12 * (16 + 16 + 16 + 16 + 1 + 3) + 5
    ours.step()
    seconds = phased.step_by_phase()
    assert list(seconds) == list(moons_step.PHASES) and all(t >= 0 for t in seconds.values())
    assert phased.weights() == ours.weights() != problems.flatten(layers)
    phased.reset()
    assert phased.weights() == problems.flatten(layers)


# ------------------------------------------------------------ missing peers


@pytest.mark.usefixtures("no_peers")
def test_missing_peers_are_reported_as_not_installed() -> None:
    assert peers.peer_versions() == {"micrograd": "not installed", "torch": "not installed"}
    results = run.run_all(run.Settings(**TINY), log=lambda s: None)
    cases = results["cases"]
    moons = cases["moons_step"]["engines"]
    for name in ("micrograd", "micrograd (gc paused)", "PyTorch scalars"):
        assert moons[name]["status"] == "not installed"
        assert "pip install" in moons[name]["reason"]
        assert cases["moons_step"]["ratios_ours_over_peer"][name] is None
    assert moons["tinygrad_edu"]["status"] == "ok"
    chain = cases["deep_chain"]["engines"]
    assert {row["status"] for row in chain["micrograd"].values()} == {"not installed"}
    assert {row["status"] for row in chain["PyTorch scalars"].values()} == {"not installed"}
    assert cases["memory"]["engines"]["micrograd"]["status"] == "not installed"
    digits = cases["bigger_network"]["engines"]
    assert digits["micrograd"]["status"] == digits["PyTorch scalars"]["status"] == "not installed"
    real = cases["digits"]["engines"]
    assert real["micrograd + exp/log"]["status"] == real["PyTorch vectorised"]["status"] == "not installed"
    assert real["tinygrad_edu traced"]["status"] == "ok"
    assert "not installed" in report.format_report(results)
    verdicts = {t["target"]: t["met"] for t in results["targets"]}
    assert verdicts["moons step: faster than micrograd"] is None  # no data: reported as such
    assert verdicts["moons graph: share of micrograd's bytes"] is None
    assert verdicts["traced step ÷ plain-float step"] in (True, False)  # needs no peer
    assert "no data" in report.format_report(results)


def test_interleaved_timing_takes_turns_and_spreads_the_slow_rows() -> None:
    calls: list[str] = []
    jobs = {
        "fast": harness.Job(lambda: calls.append("fast") or len(calls), repeats=4, warmup=1),
        "slow": harness.Job(lambda: calls.append("slow") or len(calls), repeats=2, warmup=0),
    }
    gc.freeze()  # each call's gc.collect() then skips what is already alive (as run_all does)
    try:
        timings = harness.time_interleaved(jobs)
    finally:
        gc.unfreeze()
    # four rounds: the slow row runs in two of them, evenly spread; the fast row's untimed
    # warm-up call comes right before each of its timed calls
    assert calls == ["fast", "fast", "fast", "fast", "slow", "fast", "fast", "fast", "fast", "slow"]
    assert [len(timings[n]["samples_s"]) for n in ("fast", "slow")] == [4, 2]
    # what the timed calls returned (here, the call's number), not the warm-ups'
    assert timings["fast"]["returned"] == [2, 4, 7, 9] and timings["slow"]["returned"] == [5, 10]
    assert all(t["median_s"] >= 0 and t["repeats"] == len(t["samples_s"]) for t in timings.values())
    with pytest.raises(ValueError, match="slow: repeats must be at least 1"):
        harness.time_interleaved({"slow": harness.Job(lambda: None, repeats=0)})


def test_the_tables_are_written_between_the_readmes_markers(tiny_run: Run, tmp_path: Path) -> None:
    results = tiny_run[0]
    text = f"intro\n{readme.START}\nold table\n{readme.END}\noutro\n"
    new = readme.replace_between_markers(text, "NEW", Path("x.md"))
    assert new == f"intro\n{readme.START}\n```text\nNEW\n```\n{readme.END}\noutro\n"
    assert readme.replace_between_markers(new, "NEWER", Path("x.md")).count("NEW") == 1
    with pytest.raises(ValueError, match=r"x\.md: expected one"):
        readme.replace_between_markers("no markers", "NEW", Path("x.md"))
    # --readme writes the whole report into benchmarks/README.md; here, into a copy
    copy = tmp_path / "README.md"
    copy.write_text(text)
    readme.update_readme(results, copy)
    written = copy.read_text()
    assert written.startswith("intro\n") and written.endswith("outro\n") and "old table" not in written
    assert report.format_report(results) in written and "4. bigger network" in written


def test_readme_py_writes_the_tables_of_a_json_file(
    tiny_run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    results = tiny_run[0]
    path = tmp_path / "results.json"
    path.write_text(json.dumps(results))
    copy = tmp_path / "README.md"
    copy.write_text(f"intro\n{readme.START}\nold table\n{readme.END}\noutro\n")
    monkeypatch.setattr(readme, "BENCH_README", copy)
    with contextlib.redirect_stdout(io.StringIO()):
        assert readme.main([str(path)]) == 0
    assert report.format_report(results) in copy.read_text() and "old table" not in copy.read_text()


def test_the_readmes_tables_are_those_of_results_json(tmp_path: Path) -> None:
    """benchmarks/README.md shows the run in benchmarks/results.json: regenerating changes nothing."""
    results = json.loads((RUN_PY.parent / "results.json").read_text(encoding="utf-8"))
    copy = tmp_path / "README.md"
    copy.write_text(readme.BENCH_README.read_text(encoding="utf-8"), encoding="utf-8")
    readme.update_readme(results, copy)
    assert copy.read_text(encoding="utf-8") == readme.BENCH_README.read_text(encoding="utf-8")


def test_only_the_benchmarks_readme_has_the_markers() -> None:
    text = readme.BENCH_README.read_text(encoding="utf-8")
    assert text.count(readme.START) == 1 and text.count(readme.END) == 1
    assert not hasattr(readme, "ROOT_README")  # the figures live in benchmarks/README.md only
