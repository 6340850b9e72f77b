#!/usr/bin/env python3
"""PNG plots of a `lutgemm tune` results database (matplotlib, numpy).

    scripts/plots.py --db results/local/lutgemm.db --out plots/ [--device NAME]

Per device it writes:
  <device>_latency_vs_bits.png    best LUT-GEMM latency against q, one line per shape and group
  <device>_latency_vs_group.png   best LUT-GEMM latency against g, one line per shape and q
  <device>_speedup.png            best LUT-GEMM speed-up over each baseline, per problem
  <device>_floor.png              every LUT-GEMM variant's time against the DRAM floor of its
                                  packed weights (the bandwidth bound), per problem
A plot without data is not drawn: one line says "not measured" and why. Modelled times (the
emulator backend ranks variants with the performance model) are plotted only when the device has
no measured ones, and then every title says MODELLED. Exit codes: 0 done, 2 bad arguments or
not a lutgemm database, 1 matplotlib/numpy missing.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lutgemm_results as lr  # noqa: E402

BASELINES = ["cublas_fp16", "cublas_fp16_acc16", "cublaslt_fp16_tuned", "cublas_fp32",
             "cublas_int8", "optq_fused", "optq_dequant_cublas", "awq_int4"]


VENV_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".venv")


def running_in(venv_dir):
    """True when this interpreter is the venv's. A venv's python is a symlink to the base
    interpreter, so comparing the executables' real paths cannot tell; sys.prefix can."""
    return os.path.realpath(sys.prefix) == os.path.realpath(venv_dir)


def import_plotting():
    try:
        import matplotlib
        matplotlib.use("Agg")  # files only, no display
        import matplotlib.pyplot as plt
        import numpy as np
    except ImportError as e:
        # scripts/setup installs numpy and matplotlib into the project's .venv: use it when this
        # interpreter lacks them (e.g. `python3 scripts/plots.py` or scripts/reproduce).
        venv_python = os.path.join(VENV_DIR, "bin", "python")
        if os.access(venv_python, os.X_OK) and not running_in(VENV_DIR) \
                and not os.environ.get("LUTGEMM_PLOTS_NO_VENV"):
            os.environ["LUTGEMM_PLOTS_NO_VENV"] = "1"  # once: never loop
            # Not realpath: the venv's symlink is what makes python start inside the venv.
            os.execv(venv_python, [venv_python, os.path.abspath(__file__)] + sys.argv[1:])
        print(f"plots.py: {e.name} is missing; install with: scripts/setup (into .venv) or "
              f"pip install -r scripts/requirements.txt", file=sys.stderr)
        sys.exit(1)
    return plt, np


def source_of(rows):
    """The rows to plot and their label: measured when any, else modelled."""
    measured = [r for r in rows if r.source == "measured"]
    if measured:
        return measured, "measured"
    return [r for r in rows if r.source == "modelled"], "modelled"


def title(device, source, what):
    if source == "modelled":
        target = device.model_target or "the performance model"
        return f"{what}\n{device.name}: MODELLED ({target}), not measured"
    return f"{what}\n{device.name} (measured)"


def best_lutgemm(rows):
    """(m, k, batch, bits, group, has_offset) -> fastest LUT-GEMM row."""
    best = {}
    for r in rows:
        if r.kernel != "lutgemm":
            continue
        key = (r.m, r.k, r.batch, r.bits, r.group, r.has_offset)
        if key not in best or r.median_us < best[key].median_us:
            best[key] = r
    return best


def plot_lines(plt, device, source, best, x_of, line_of, x_label, what, x_ticks_text, path,
               log_x=False):
    lines = defaultdict(list)
    for r in best.values():
        lines[line_of(r)].append((x_of(r), r.median_us, r))
    lines = {k: sorted(v) for k, v in lines.items() if len(v) >= 2}
    if not lines:
        return "not measured (needs one shape measured at two or more values)"
    fig, ax = plt.subplots(figsize=(8, 5))
    ticks = {}
    for name in sorted(lines):
        pts = lines[name]
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=name)
        for p in pts:
            ticks[p[0]] = x_ticks_text(p[2])
    if log_x:
        ax.set_xscale("log", base=2)  # group sizes double: 32, 64, 128, ..., K (row-wise)
        ax.minorticks_off()
    ax.set_xlabel(x_label)
    ax.set_ylabel("best LUT-GEMM latency (us)")
    ax.set_xticks(sorted(ticks))
    ax.set_xticklabels([ticks[t] for t in sorted(ticks)])
    ax.set_title(title(device, source, what))
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return None


def plot_speedup(plt, np, device, source, rows, best, path):
    problems = sorted(best)
    table = {}  # (problem, baseline) -> speed-up
    for key in problems:
        lut = best[key]
        for baseline in BASELINES:
            times = [r.median_us for r in rows if lr.answers(r, lut, baseline)]
            if times:
                table[(key, baseline)] = min(times) / lut.median_us
    if not table:
        return "not measured (no baseline timed on the problems LUT-GEMM was tuned for)"
    baselines = [b for b in BASELINES if any(k[1] == b for k in table)]
    problems = [p for p in problems if any((p, b) in table for b in baselines)]
    fig, ax = plt.subplots(figsize=(max(8, 1.2 * len(problems) * len(baselines) / 2 + 3), 5))
    width = 0.8 / len(baselines)
    x = np.arange(len(problems))
    for i, b in enumerate(baselines):
        values = [table.get((p, b), 0.0) for p in problems]
        bars = ax.bar(x + i * width - 0.4 + width / 2, values, width, label=f"vs {b}")
        for bar, v in zip(bars, values):
            if v > 0:
                ax.annotate(f"{v:.2f}x", (bar.get_x() + bar.get_width() / 2, v),
                            ha="center", va="bottom", fontsize=7)
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_xticks(x)
    ax.set_xticklabels([f"{best[p].shape} b{best[p].batch}\nq{best[p].bits} {best[p].group_label}"
                        for p in problems], fontsize=8)
    ax.set_ylabel("speed-up (baseline time / LUT-GEMM time)")
    ax.set_title(title(device, source, "LUT-GEMM speed-up over each baseline"))
    ax.legend(fontsize=8)
    ax.grid(True, axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return None


def plot_floor(plt, device, source, rows, path, max_panels=12):
    if not device.dram_gbps:
        return "not drawn (the device has no DRAM bandwidth in the database)"
    by_problem = defaultdict(list)
    for r in rows:
        if r.kernel == "lutgemm":
            by_problem[(r.m, r.k, r.batch, r.bits, r.group, r.has_offset)].append(r)
    if not by_problem:
        return "not measured (no LUT-GEMM variant)"
    keys = sorted(by_problem)
    if len(keys) > max_panels:
        print(f"{device.name}: floor: {len(keys)} problems, the first {max_panels} drawn")
        keys = keys[:max_panels]
    cols = min(3, len(keys))
    rows_n = (len(keys) + cols - 1) // cols
    fig, axes = plt.subplots(rows_n, cols, figsize=(5 * cols, 3.6 * rows_n), squeeze=False)
    for ax, key in zip(axes.flat, keys):
        variants = sorted(by_problem[key], key=lambda r: r.median_us)
        floor_us = lr.packed_weight_bytes(variants[0]) / (device.dram_gbps * 1e3)
        ax.plot(range(len(variants)), [r.median_us for r in variants], marker=".",
                linestyle="none", label="variants")
        ax.axhline(floor_us, color="red", linestyle="--",
                   label=f"DRAM floor {floor_us:.1f} us ({device.dram_gbps:.0f} GB/s)")
        v = variants[0]
        ax.set_title(f"{v.shape} b{v.batch} q{v.bits} {v.group_label}: best at "
                     f"{100 * floor_us / v.median_us:.0f}% of DRAM peak", fontsize=9)
        ax.set_xlabel("variant (fastest first)")
        ax.set_ylabel("latency (us)")
        ax.set_ylim(0, 1.15 * max(variants[-1].median_us, floor_us))
        ax.set_xlim(-0.5, len(variants) - 0.5)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.legend(fontsize=7)
        ax.grid(True, alpha=0.3)
    for ax in list(axes.flat)[len(keys):]:
        ax.axis("off")
    fig.suptitle(title(device, source, "Each LUT-GEMM variant against the bandwidth floor"),
                 fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return None


def plot_device(plt, np, db, device, out):
    rows, source = source_of(lr.results(db, device.name))
    base = os.path.join(out, lr.slug(device.name))
    written, missing = [], []
    if not rows:
        return written, [(f"{device.name}: all plots", "not measured (no verified result)")]
    best = best_lutgemm(rows)
    jobs = [
        ("latency_vs_bits", lambda p: plot_lines(
            plt, device, source, best, x_of=lambda r: r.bits,
            line_of=lambda r: f"{r.shape} b{r.batch} {r.group_label}", x_label="bits q",
            what="Best LUT-GEMM latency against bits", x_ticks_text=lambda r: str(r.bits),
            path=p)),
        ("latency_vs_group", lambda p: plot_lines(
            plt, device, source, best, x_of=lambda r: r.group_size,
            line_of=lambda r: f"{r.shape} b{r.batch} q{r.bits}", x_label="group size g (row-wise: g = K)",
            what="Best LUT-GEMM latency against group size",
            x_ticks_text=lambda r: r.group_text, path=p, log_x=True)),
        ("speedup", lambda p: plot_speedup(plt, np, device, source, rows, best, p)),
        ("floor", lambda p: plot_floor(plt, device, source, rows, p)),
    ]
    for name, draw in jobs:
        path = f"{base}_{name}.png"
        why = draw(path)
        if why is None:
            written.append(path)
        else:
            missing.append((f"{device.name}: {name}", why))
    return written, missing


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--db", required=True, help="results database from `lutgemm tune`")
    parser.add_argument("--out", required=True, help="folder for the PNG files (created)")
    parser.add_argument("--device", help="only this device (exact name as stored)")
    args = parser.parse_args(argv)

    try:
        db = lr.open_database(args.db)
    except lr.DatabaseError as e:
        print(f"plots.py: error: {e}", file=sys.stderr)
        return 2
    devices = lr.devices(db)
    if args.device:
        names = [d.name for d in devices]
        devices = [d for d in devices if d.name == args.device]
        if not devices:
            print(f"plots.py: error: no device '{args.device}' with results in {args.db} "
                  f"(devices: {', '.join(names) or 'none'})", file=sys.stderr)
            return 2
    plt, np = import_plotting()
    os.makedirs(args.out, exist_ok=True)
    if not devices:
        print(f"not measured: {args.db} holds no results yet; no plots written")
        return 0
    for device in devices:
        written, missing = plot_device(plt, np, db, device, args.out)
        for path in written:
            print(f"wrote {path}")
        for what, why in missing:
            print(f"{what}: {why}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
