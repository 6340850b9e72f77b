"""Read-only access to a results database written by `lutgemm tune` (tuner/store/schema.cpp).

The same selection as `lutgemm report` (tuner/store/sqlite_result_view.cpp): verified results only
(disposition 'ok' with a time), measured or modelled (emulator wall times say nothing about a GPU
and are never read), and per problem, variant and source the latest run's time, the leader's
re-measurement over the sweep. Standard library only, so `scripts/reproduce` runs without numpy.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass, field

APPLICATION_ID = 0x4C555447  # "LUTG", tuner/store/schema.hpp
MAX_SCHEMA_VERSION = 3  # tuner/store/schema.hpp kSchemaVersion (tests/unit/test_plot_scripts.cpp fails when they differ)

# Kernel families in the database -> the report's kernel names (model::Baseline's names).
KERNEL_FOR_FAMILY = {
    "cublas_fp16_acc32": "cublas_fp16",
    "optq_fused_gemv": "optq_fused",
    "optq_dequant_gemm": "optq_dequant_cublas",
}


class DatabaseError(Exception):
    """The file is missing or is not a lutgemm results database (a usage error: exit 2)."""


@dataclass
class Device:
    name: str
    key: str
    backend: str
    arch: str
    dram_gbps: float | None

    @property
    def model_target(self):
        """The built-in target of a model-only device ("model:<target>"), else None."""
        return self.key[len("model:"):] if self.key.startswith("model:") else None


@dataclass
class Result:
    m: int
    k: int
    batch: int
    bits: int
    group: int  # 0 = row-wise
    has_offset: bool
    kernel: str
    label: str
    median_us: float
    noise_pct: float
    source: str  # measured | modelled
    run_id: int
    params: dict = field(default_factory=dict)

    @property
    def group_size(self):
        return self.k if self.group == 0 else self.group

    @property
    def group_text(self):
        return "row" if self.group == 0 else str(self.group)

    @property
    def group_label(self):
        """"g128" or "row-wise", for titles and tick labels."""
        return "row-wise" if self.group == 0 else f"g{self.group}"

    @property
    def shape(self):
        return f"{self.m}x{self.k}"


def open_database(path):
    if not os.path.isfile(path):
        raise DatabaseError(f"results database '{path}' does not exist "
                            f"(create one with `lutgemm tune --db {path}`)")
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as e:
        raise DatabaseError(f"'{path}' is not a usable SQLite database ({e})") from None
    if app_id != APPLICATION_ID:
        raise DatabaseError(f"'{path}' is not a lutgemm results database")
    if not 1 <= version <= MAX_SCHEMA_VERSION:
        raise DatabaseError(f"'{path}' has lutgemm schema version {version}; "
                            f"this script reads 1..{MAX_SCHEMA_VERSION}")
    return db


def devices(db):
    """Devices with at least one stored measurement, one per name, in insertion order."""
    rows = db.execute("""
        SELECT d.name, min(d.key), max(d.backend), max(d.arch), max(d.dram_gbps)
          FROM devices d
         WHERE EXISTS (SELECT 1 FROM measurements m WHERE m.device_id = d.id)
         GROUP BY d.name ORDER BY min(d.id)""").fetchall()
    return [Device(*row) for row in rows]


def results(db, device_name):
    rows = db.execute("""
        SELECT p.m, p.k, p.batch, p.bits, p.group_size, p.has_offset, v.family, v.label, v.params,
               m.median_us, coalesce(m.noise_pct, 0), m.source, m.run_id,
               m.problem_id, m.variant_id
          FROM measurements m
          JOIN devices d ON d.id = m.device_id
          JOIN problems p ON p.id = m.problem_id
          JOIN variants v ON v.id = m.variant_id
         WHERE d.name = ? AND m.disposition = 'ok' AND m.median_us IS NOT NULL
           AND m.source IN ('measured', 'modelled')
         ORDER BY m.run_id DESC, (m.phase = 'remeasure') DESC, m.id DESC""",
                      (device_name,)).fetchall()
    latest = {}
    for r in rows:
        key = (r[13], r[14], r[11])
        if key in latest:
            continue  # an older run's (or the sweep's) time for the same variant
        try:
            params = json.loads(r[8])
        except ValueError:
            params = {}
        latest[key] = Result(m=r[0], k=r[1], batch=r[2], bits=r[3], group=r[4],
                             has_offset=bool(r[5]), kernel=KERNEL_FOR_FAMILY.get(r[6], r[6]),
                             label=r[7], median_us=r[9], noise_pct=r[10], source=r[11],
                             run_id=r[12], params=params if isinstance(params, dict) else {})
    return sorted(latest.values(),
                  key=lambda x: (x.m, x.k, x.batch, x.bits, x.group, x.kernel, x.label, x.source))


def answers(row, wanted, kernel):
    """Whether `row` answers a request for `kernel` on the problem of `wanted` (as the report):
    cuBLAS ignores bits and group, OPTQ the group; everything else matches the whole problem."""
    if row.kernel != kernel or (row.m, row.k, row.batch) != (wanted.m, wanted.k, wanted.batch):
        return False
    if kernel.startswith("cublas"):
        return True
    if kernel.startswith("optq"):
        return row.bits == wanted.bits
    return (row.bits, row.group, row.has_offset) == (wanted.bits, wanted.group, wanted.has_offset)


def packed_weight_bytes(r):
    """Bytes of the packed BCQ weights (tuner/quant/packed_bcq.hpp, rows padded to 8): what a
    LUT-GEMM GEMV must read at least, as model::packed_bcq_bytes counts them."""
    m_stride = (r.m + 7) // 8 * 8
    groups = r.k // r.group_size
    total = m_stride * r.k * r.bits / 8 + m_stride * groups * r.bits * 2
    if r.has_offset:
        total += m_stride * groups * 2
    return total


def slug(text):
    keep = "".join(c if c.isalnum() or c in "-_." else "-" for c in text)
    while "--" in keep:
        keep = keep.replace("--", "-")
    return keep.strip("-") or "device"
