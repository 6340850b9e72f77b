#!/usr/bin/env python3
"""The emulator's counters beside Nsight Compute's, for one variant (scripts/gpu-validate).

Usage: ncu_compare.py OURS_JSON NCU_CSV [--kernel SUBSTRING]

OURS_JSON is `lutgemm profile --json` (counted in the host emulator, metric names as ncu's);
NCU_CSV is `ncu --csv --page raw --metrics ...` (one column per metric, a units row, one row per
profiled kernel) or ncu's long CSV (one row per metric: "Metric Name", "Metric Value"). The first
profiled launch whose kernel name contains SUBSTRING (default lutgemm_kernel) is compared.

Prints one line per metric both sides have (ours, ncu's, ours/ncu), then the ratios that do not
depend on the problem's size (shared-load conflict factor, global sectors per request): the
emulator counts at a proxy shape, so its raw counts match ncu's only where the shapes agree.
Bad input: one line on stderr, exit 2.
"""
import csv
import json
import sys

# (our name of a ratio, numerator metric, denominator metric)
RATIOS = [
    ("shared-load conflict factor (wavefronts / requests)",
     "l1tex__data_pipe_lsu_wavefronts_mem_shared_op_ld.sum",
     "smsp__inst_executed_op_shared_ld.sum"),
    ("global-load sectors per request",
     "l1tex__t_sectors_pipe_lsu_mem_global_op_ld.sum",
     "l1tex__t_requests_pipe_lsu_mem_global_op_ld.sum"),
    ("global-store sectors per request",
     "l1tex__t_sectors_pipe_lsu_mem_global_op_st.sum",
     "l1tex__t_requests_pipe_lsu_mem_global_op_st.sum"),
]


class InputError(Exception):
    pass


def number(text):
    """ncu writes numbers with thousands separators ("25,787"); 'n/a' and empty are None."""
    text = text.strip().replace(",", "")
    if text in ("", "n/a", "N/A"):
        return None
    try:
        return float(text)
    except ValueError:
        return None


def read_ours(path):
    try:
        with open(path) as f:
            doc = json.load(f)
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror}")
    except json.JSONDecodeError as e:
        raise InputError(f"{path}: not JSON ({e.msg}, line {e.lineno})")
    counters = doc.get("counters") if isinstance(doc, dict) else None
    if not isinstance(counters, dict) or not counters:
        raise InputError(f"{path}: no 'counters' object (expected `lutgemm profile --json`)")
    return doc, {k: float(v) for k, v in counters.items() if isinstance(v, (int, float))}


def read_ncu(path, kernel):
    try:
        with open(path, newline="") as f:
            # ncu may print its own "==PROF==" lines before the table.
            lines = [line for line in f if not line.startswith("==")]
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror}")
    rows = list(csv.reader(lines))
    if not rows:
        raise InputError(f"{path}: empty (no kernel was profiled?)")
    # The table starts at its header (the profiled program may have printed lines before it).
    start = next((i for i, row in enumerate(rows) if "Kernel Name" in row), None)
    if start is None:
        raise InputError(f"{path}: no 'Kernel Name' column (expected `ncu --csv`)")
    rows = rows[start:]
    header = rows[0]
    name_col = header.index("Kernel Name")
    id_col = header.index("ID") if "ID" in header else None
    if "Metric Name" in header and "Metric Value" in header:  # long: one row per metric
        metric_col, value_col = header.index("Metric Name"), header.index("Metric Value")
        launch, metrics = None, {}
        for row in rows[1:]:
            if len(row) <= max(name_col, metric_col, value_col) or kernel not in row[name_col]:
                continue
            this = row[id_col] if id_col is not None else row[name_col]
            if launch is None:
                launch = this
            if this == launch and number(row[value_col]) is not None:
                metrics[row[metric_col]] = number(row[value_col])
        if launch is None:
            raise InputError(f"{path}: no launch of a kernel named '*{kernel}*'")
        return metrics
    # raw page: metric columns, then a units row (its kernel name cell is empty), then launches
    for row in rows[1:]:
        if len(row) == len(header) and kernel in row[name_col]:
            return {header[i]: number(row[i]) for i in range(len(header))
                    if "__" in header[i] and number(row[i]) is not None}
    raise InputError(f"{path}: no launch of a kernel named '*{kernel}*'")


def fmt(value):
    if value is None:
        return "-"
    return f"{int(value)}" if value == int(value) else f"{value:.3f}"


def compare(doc, ours, ncu):
    out = [f"variant {doc.get('variant', '?')}: problem {doc.get('problem', '?')}, "
           f"emulator counted at {doc.get('counted_at_shape', '?')} (ncu: the launch it profiled)",
           f"  {'metric':<58} {'emulator':>14} {'ncu':>14} {'emu/ncu':>8}"]
    shared = [name for name in ours if name in ncu]
    if not shared:
        raise InputError("no metric in both: profile ncu with the names `lutgemm profile` prints")
    for name in shared:
        ratio = f"{ours[name] / ncu[name]:.2f}" if ncu[name] else "-"
        out.append(f"  {name:<58} {fmt(ours[name]):>14} {fmt(ncu[name]):>14} {ratio:>8}")
    for label, num, den in RATIOS:
        sides = []
        for side in (ours, ncu):
            sides.append(side[num] / side[den] if side.get(num) is not None and side.get(den)
                         else None)
        if sides != [None, None]:
            out.append(f"  {label:<58} {fmt(sides[0]):>14} {fmt(sides[1]):>14}")
    return "\n".join(out)


def main(argv):
    args = argv[1:]
    kernel = "lutgemm_kernel"
    if "--kernel" in args:
        i = args.index("--kernel")
        if i + 1 >= len(args):
            raise InputError("--kernel needs a value")
        kernel = args[i + 1]
        del args[i:i + 2]
    if len(args) != 2:
        raise InputError("usage: ncu_compare.py OURS_JSON NCU_CSV [--kernel SUBSTRING]")
    doc, ours = read_ours(args[0])
    print(compare(doc, ours, read_ncu(args[1], kernel)))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except InputError as e:
        print(f"ncu_compare: {e}", file=sys.stderr)
        sys.exit(2)
