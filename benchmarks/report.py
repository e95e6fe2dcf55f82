"""The text report of a run: one table per case, then the targets, from the JSON results alone.

``run.py`` prints it when a run ends; ``readme.py`` writes it into
benchmarks/README.md, between its markers.
"""

from __future__ import annotations

from typing import Optional, Sequence

from benchmarks.harness import Result

TARGETS_TITLE = "targets, on this run's medians"


def num(x: Optional[float], digits: int = 1) -> str:
    """A number with thousands separators and ``digits`` decimals, or "-"."""
    return "-" if x is None else f"{x:,.{digits}f}"


def two_decimals(x: Optional[float]) -> str:
    """A ratio with two decimals, or "-"."""
    return "-" if x is None else f"{x:.2f}"


def factor(x: Optional[float]) -> str:
    """A target's measure to three significant digits, or "-"."""
    return "-" if x is None else f"{x:,.3g}"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Aligned columns: names and notes to the left, numbers to the right."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    left = {0} | ({len(header) - 1} if header[-1] == "note" else set())

    def line(r: Sequence[str]) -> str:
        cells = (c.ljust(w) if i in left else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
        return "  ".join(cells).rstrip()

    return [line(header), "  ".join("-" * w for w in widths).rstrip(), *(line(r) for r in rows)]


def ours_over_peer(case: Result, name: str) -> str:
    """The ours/peer cell of row ``name``: 1.00 for tinygrad_edu itself."""
    return two_decimals(case["ratios_ours_over_peer"].get(name)) if name != "tinygrad_edu" else "1.00"


def header_lines(results: Result) -> list[str]:
    """The machine, the peers and how to read ours/peer."""
    m, peers = results["machine"], results["peers"]
    return [
        f"machine: {m['cpu']}, {m['cores_usable']} of {m['cores']} cores, "
        f"{m['implementation']} {m['python']}, {m['platform']}, {m['date']}",
        f"peers: micrograd {peers['micrograd']}, torch {peers['torch']}"
        + ("   (--quick)" if results["settings"]["quick"] else ""),
        "ours/peer = tinygrad_edu's median ÷ the peer's (> 1: tinygrad_edu is slower or bigger)",
    ]


def moons_note(row: Result) -> str:
    """The note of a moons step row: the collector's share, the tracing time, or why it is empty."""
    if row["status"] != "ok":
        return f"{row['status']}: {row['reason']}"
    if "trace_s" in row:
        return f"traced and compiled once in {row['trace_s']:.1f} s"
    if "charged_gc_collect_ms" in row:
        return f"incl. {row['charged_gc_collect_ms']:.0f} ms collecting its cycles"
    if "gc_collect_after_ms" in row:
        return f"+ {row['gc_collect_after_ms']:.0f} ms gc.collect() after"
    return ""


def moons_lines(c: Result) -> list[str]:
    """Case 1's table, the float check and the eager step by phase."""
    out = [
        "",
        f"1. moons step: MLP(2, [16, 16, 1]) on {c['points']} points, forward + hinge + L2 + backward + SGD",
    ]
    rows = [
        [
            name,
            num(row.get("ms_per_step")),
            num(row.get("nodes_per_step"), 0) if "nodes_per_step" in row else "-",
            str(row.get("repeats", "-")),
            ours_over_peer(c, name),
            moons_note(row),
        ]
        for name, row in c["engines"].items()
    ]
    out += table(["engine", "ms/step", "nodes/step", "repeats", "ours/peer", "note"], rows)
    out.append(f"   float gradients vs tinygrad_edu: max |difference| {c['float_gradient_max_error']:.1e}")
    phases = c["tinygrad_edu_phases_ms"]
    out.append(
        "   tinygrad_edu's step by phase (medians, ms): "
        + ", ".join(f"{p} {ms:.1f}" for p, ms in phases.items() if p != "sum")
        + f"; sum {phases['sum']:.1f}"
    )
    return out


def chain_table(c: Result) -> list[str]:
    """Case 2's table: ms per size and the growth ratio, per engine."""
    sizes = [str(s) for s in c["sizes"]]
    growth_ratio = c["growth_ratio"]
    rows = []
    for name, by_size in c["engines"].items():
        cells = [
            num(by_size[s]["ms"]) if by_size[s]["status"] == "ok" else by_size[s]["status"] for s in sizes
        ]
        growth = growth_ratio.get("ratio_by_engine", {}).get(name) if growth_ratio else None
        verdict = growth_ratio.get("linear_by_engine", {}).get(name) if growth_ratio else None
        mark = "" if verdict is None else (" (linear)" if verdict else " (> linear)")
        rows.append([name, *cells, two_decimals(growth) + mark])
    top = growth_ratio.get("sizes", [])
    growth_header = f"{top[1]:.0e}/{top[0]:.0e}".replace("+0", "") if top else "growth"
    return table(["engine", *(f"N={int(s):,}" for s in sizes), growth_header], rows)


def chain_lines(c: Result) -> list[str]:
    """Case 2's table and the lines under it: linearity, the collector's passes, memory, micrograd."""
    out = ["", "2. deep chain: y <- y*c + d, forward + backward, ms per chain of N nodes", *chain_table(c)]
    if c["growth_ratio"]:
        out.append(f"   linear growth: ratio ≤ {c['growth_ratio']['linear_if_at_most']:.0f}")
    counts = [
        f"{int(s):,} nodes: {row['full_collections']}"
        for s in map(str, c["sizes"])
        if "full_collections" in (row := c["engines"]["tinygrad_edu"].get(s, {}))
    ]
    if counts:
        out.append("   tinygrad_edu: the collector's full passes in one run: " + ", ".join(counts))
    mem = c["memory_largest_tinygrad_edu"]
    line = f"   tinygrad_edu, {mem['nodes']:,} nodes: peak RSS +{num(mem['peak_rss_growth_mb'])} MB"
    if "tracemalloc_peak_mb" in mem:
        line += (
            f", tracemalloc peak {mem['tracemalloc_peak_mb']:.1f} MB "
            f"({mem['tracemalloc_peak_bytes_per_node']:.0f} bytes/node)"
        )
    out.append(line)
    if c["micrograd_longest_chain_nodes"] is not None:
        out.append(
            f"   micrograd: longest chain that backpropagates at recursion limit {c['recursion_limit']}: "
            f"{c['micrograd_longest_chain_nodes']:,} nodes"
        )
    return out


def memory_lines(c: Result) -> list[str]:
    """Case 3's table and the whole graphs compared."""
    out = ["", f"3. memory: the moons graph ({c['points']} points, forward + loss), tracemalloc"]
    rows = []
    for name, row in c["engines"].items():
        if row["status"] != "ok":
            rows.append([name, "-", "-", "-", "-", "-", f"{row['status']}: {row['reason']}"])
            continue
        rows.append(
            [
                name,
                num(row["graph_nodes"], 0),
                num(row["graph_mb"], 2),
                num(row["bytes_per_node"], 0),
                num(row["peak_bytes_per_node"], 0),
                ours_over_peer(c, name),
                "",
            ]
        )
    out += table(["engine", "nodes", "graph MB", "bytes/node", "peak in backward", "ours/peer", ""], rows)
    share = c.get("graph_ratios_ours_over_peer", {}).get("micrograd")
    if share is not None:
        out.append(f"   whole graph: tinygrad_edu holds {share:.3f}× micrograd's bytes (1/{1 / share:.0f})")
    return out


def epoch_time(seconds: Optional[float], ms: bool) -> str:
    """Seconds per epoch with two decimals, or with ``ms`` milliseconds with one, or "-"."""
    if ms and seconds is not None:
        return num(seconds * 1000, 1)
    return num(seconds, 2)


def epoch_lines(c: Result, title: str, ms: bool = False) -> list[str]:
    """A table of the time per epoch (cases 4 and 5; in ms with ``ms``, else in s) under ``title``,
    with the sizes appended."""
    out = [
        "",
        f"{title}, {c['samples']} digits, "
        f"{c['mini_batches']} mini-batch{'es' if c['mini_batches'] != 1 else ''} of {c['batch']}",
    ]
    rows = [
        [
            name,
            epoch_time(row.get("s_per_epoch"), ms),
            num(row["nodes_per_mini_batch"], 0) if "nodes_per_mini_batch" in row else "-",
            str(row.get("repeats", "-")),
            ours_over_peer(c, name),
            row.get("note", "") if row["status"] == "ok" else f"{row['status']}: {row['reason']}",
        ]
        for name, row in c["engines"].items()
    ]
    unit = "ms/epoch" if ms else "s/epoch"
    return out + table(["engine", unit, "nodes/mini-batch", "repeats", "ours/peer", "note"], rows)


def bigger_network_lines(c: Result) -> list[str]:
    """Case 4's table."""
    return epoch_lines(c, "4. bigger network: MLP(64, [32, 10]) + softmax cross-entropy")


def digits_lines(c: Result) -> list[str]:
    """Case 5's table, in ms: PyTorch vectorised takes a few (absent from runs made before the case)."""
    return epoch_lines(c, "5. real digits (UCI): MLP(64, [32, 10]) + softmax cross-entropy", ms=True)


def target_lines(results: Result) -> list[str]:
    """The targets with their verdicts, then the ratios for reference."""
    rows = []
    for t in results.get("targets", []):
        verdict = {True: "met", False: "NOT met", None: "no data"}[t["met"]]
        rows.append([t["target"], factor(t["measured"]), t["goal"], verdict])
    for r in results.get("reference", []):
        rows.append([r["what"], factor(r["measured"]), "-", "for reference"])
    return ["", TARGETS_TITLE, *table(["target", "measured", "goal", "verdict"], rows)]


def format_report(results: Result) -> str:
    """The printed tables."""
    cases = results["cases"]
    out = [
        *header_lines(results),
        *moons_lines(cases["moons_step"]),
        *chain_lines(cases["deep_chain"]),
        *memory_lines(cases["memory"]),
        *bigger_network_lines(cases["bigger_network"]),
        *(digits_lines(cases["digits"]) if "digits" in cases else []),
        *target_lines(results),
        "",
        f"total {results['total_seconds']:.0f} s",
    ]
    return "\n".join(out)
