#!/usr/bin/env python3
"""Splink (DuckDB backend) linkage on a county made by `loubao sample`, for timing beside
`loubao run`. See README.md beside this file for the exact commands and pinned versions.

    python benches/splink/linkage.py /tmp/splink-c20k [--threads 2] [--json] [--truth]

1. Untimed: every source file in the county's inbox (xlsx, and csv in GB18030 or UTF-8) is
   read, its header row found (the first row with a name-like header), headers mapped to
   identity fields by keyword, and one record per person named in a row is written to a
   parquet file in a temp dir.
2. Timed, in a fresh child process (so that the preparation's memory and cpu do not count):
   load parquet into DuckDB, normalise in SQL, Splink link_only department x roll records
   (train u + EM, then predict at match probability >= 0.9), count the pairs.
"""
import argparse, csv, json, os, re, resource, subprocess, sys, tempfile, time, tomllib
from pathlib import Path

# Files whose names carry one of these are assistance rolls; every other is a department file.
ROLL_KEYWORDS = ("低保", "特困", "孤儿", "事实无人抚养", "临时救助", "低收入")
# Field -> header keywords (containment). Checked in this order; a header maps to one field.
FIELDS = [
    ("id_number", ("身份证", "证件号", "身份号码")),
    ("name", ("姓名",)),
    ("sex", ("性别",)),
    ("birth_date", ("出生",)),
    ("township", ("乡镇", "镇", "街道")),
    ("address", ("住址", "地址")),
]
NAME_EXACT = ("来电人",)  # name headers without 姓名 (12349 hotline)
PER_PERSON = ("name", "id_number", "sex", "birth_date")  # repeat per person in a row
COLUMNS = ["name", "id_number", "birth_date", "sex", "township", "address"]
FOOTER = ("合计", "制表人", "审核人", "填报日期")


def field_of(header):
    h = re.sub(r"\s", "", header or "")
    if h in NAME_EXACT:
        return "name"
    for field, keys in FIELDS:
        if any(k in h for k in keys):
            return field
    return None


def map_headers(headers):
    """-> list of per-person {field: column}; a row naming a child and both parents
    (困境儿童) has three name columns, each starting one person's group of columns."""
    fields = [field_of(h) for h in headers]
    name_cols = [i for i, f in enumerate(fields) if f == "name"]
    people = [{"name": c} for c in name_cols]
    shared = {}
    for i, f in enumerate(fields):
        if f is None or f == "name":
            continue
        if f in PER_PERSON:
            k = max([j for j, c in enumerate(name_cols) if c <= i], default=0)
            people[k].setdefault(f, i)
        else:
            shared.setdefault(f, i)
    return [{**shared, **p} for p in people]


def cell(v):
    """A cell as stripped text; None and NaN (pandas' empty cell) as ''."""
    return "" if v is None or v != v else str(v).strip()


def is_header(row):
    return any(field_of(cell(c)) == "name" for c in row)


def read_xlsx(path):
    import pandas as pd
    try:
        import python_calamine  # noqa: F401  (only to see whether it is there)
        engine = "calamine"
    except ImportError:
        engine = "openpyxl"
    df = pd.read_excel(path, header=None, dtype=str, engine=engine)
    rows = df.astype(object).where(df.notna(), None).values.tolist()
    h = next(i for i, r in enumerate(rows[:20]) if is_header(r))
    # Physical 1-based row numbers (as truth/rows.csv counts them) go with each data row.
    return [cell(c) for c in rows[h]], ((h + 2 + i, r) for i, r in enumerate(rows[h + 1:]))


def read_csv(path):
    import pandas as pd
    head = path.open("rb").read(1 << 16)
    try:
        head[: head.rfind(b"\n")].decode("utf-8")
        enc = "utf-8-sig"
    except UnicodeDecodeError:
        enc = "gb18030"
    with path.open(encoding=enc, newline="") as f:
        lines = [r for _, r in zip(range(20), csv.reader(f))]
    h = next(i for i, r in enumerate(lines) if is_header(r))
    headers = lines[h]
    used = sorted({c for p in map_headers(headers) for c in p.values()} | {0})
    df = pd.read_csv(path, encoding=enc, header=None, skiprows=h + 1, usecols=used,
                     dtype=str, keep_default_na=False, na_filter=False)
    df = df.reindex(columns=range(len(headers)))  # unused columns come back as NaN
    return headers, ((h + 2 + i, r) for i, r in enumerate(df.values.tolist()))


def prepare(inbox, out_parquet):
    """Reads every source file, prints the mapping, writes the records. Untimed."""
    import pyarrow as pa, pyarrow.parquet as pq
    cols = {k: [] for k in ["unique_id", "role", "source_file", "source_row", "slot", *COLUMNS]}
    files = sorted(p for p in inbox.iterdir() if p.suffix.lower() in (".xlsx", ".csv"))
    for path in files:
        started = time.perf_counter()
        headers, rows = (read_xlsx if path.suffix.lower() == ".xlsx" else read_csv)(path)
        people = map_headers(headers)
        role = "roll" if any(k in path.name for k in ROLL_KEYWORDS) else "department"
        taken = records = 0
        for phys, r in rows:
            if cell(r[0]).startswith(FOOTER):
                continue
            found = 0
            for slot, p in enumerate(people):
                val = {f: cell(r[c]) or None for f, c in p.items()}
                if not (val.get("name") or val.get("id_number")):
                    continue  # blank row, or a parent left empty
                cols["unique_id"].append(len(cols["unique_id"]))
                for k, v in zip(["role", "source_file", "source_row", "slot"],
                                [role, path.name, phys, slot]):
                    cols[k].append(v)
                for c in COLUMNS:
                    cols[c].append(val.get(c))
                found += 1
            taken, records = taken + (found > 0), records + found
        print(f"{path.name}: {role}, {taken} rows, {records} records "
              f"({time.perf_counter() - started:.1f} s)", file=sys.stderr)
        for slot, p in enumerate(people):
            mapping = ", ".join(f"{f}<-{headers[c]}" for f, c in sorted(p.items(), key=lambda x: x[1]))
            print(f"    person {slot}: {mapping}", file=sys.stderr)
    pq.write_table(pa.table(cols), out_parquet)
    return len(cols["unique_id"])


NORMALISE_SQL = r"""
CREATE TABLE raw AS SELECT * FROM read_parquet('{parquet}');
CREATE TABLE norm AS
WITH c AS (
  SELECT unique_id, role,
    nullif(regexp_replace(name, '[\s　·•・.]', '', 'g'), '') AS name,
    nullif(upper(translate(regexp_replace(id_number, '[\s　'']', '', 'g'),
                           '０１２３４５６７８９ｘＸ', '0123456789XX')), '') AS id_number,
    strftime(try_strptime(birth_date, ['%Y-%m-%d', '%Y-%m-%d %H:%M:%S', '%Y/%m/%d',
                                       '%Y%m%d', '%Y年%m月%d日']), '%Y-%m-%d') AS birth_date,
    CASE WHEN sex LIKE '%男%' THEN 'M' WHEN sex LIKE '%女%' THEN 'F' END AS sex,
    -- 城关镇 / 城关 / 城关镇人民政府 -> 城关; a blank township is looked for in the address
    nullif(regexp_replace(coalesce(trim(township), regexp_extract(address, '县(.+?(镇|乡|街道))', 1)),
                          '(镇|乡|街道)?(人民政府|办事处)?$', ''), '') AS township
  FROM raw
), d AS (  -- birth date and sex as the ID states them: 18 digits, or the old 15
  SELECT *,
    CASE WHEN regexp_full_match(id_number, '\d{{17}}[\dX]') THEN substr(id_number, 7, 8)
         WHEN regexp_full_match(id_number, '\d{{15}}') THEN '19' || substr(id_number, 7, 6)
    END AS id_birth,
    CASE WHEN regexp_full_match(id_number, '\d{{17}}[\dX]') THEN substr(id_number, 17, 1)
         WHEN regexp_full_match(id_number, '\d{{15}}') THEN substr(id_number, 15, 1)
    END AS id_sex
  FROM c
)
SELECT unique_id, role, name, id_number,
  coalesce(birth_date, strftime(try_strptime(id_birth, '%Y%m%d'), '%Y-%m-%d')) AS birth_date,
  coalesce(sex, CASE WHEN id_sex IS NULL THEN NULL
                     WHEN id_sex::INT % 2 = 1 THEN 'M' ELSE 'F' END) AS sex,
  township
FROM d;
CREATE TABLE dept AS SELECT * EXCLUDE (role) FROM norm WHERE role = 'department';
CREATE TABLE roll AS SELECT * EXCLUDE (role) FROM norm WHERE role = 'roll';
"""


def timed_linkage(parquet, threads, truth, verbose=False):
    """Runs in a fresh process. Returns the figures as a dict."""
    t_import = time.perf_counter()
    import logging
    import duckdb, splink
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on
    import_s = time.perf_counter() - t_import

    ru0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    con.execute(NORMALISE_SQL.format(parquet=parquet))
    t1 = time.perf_counter()

    db_api = DuckDBAPI(connection=con)
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            # Chinese names are 2-3 characters: one character off scores 0.80-0.82
            # (3 chars) or 0.67 (2 chars), so the usual 0.9/0.7 levels would be empty.
            cl.JaroWinklerAtThresholds("name", [0.79, 0.66]).configure(
                term_frequency_adjustments=True),
            cl.LevenshteinAtThresholds("id_number", [1, 2]),
            cl.DateOfBirthComparison("birth_date", input_is_string=True,
                                     datetime_format="%Y-%m-%d"),
            cl.ExactMatch("sex"),
            cl.ExactMatch("township"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("id_number"),
            block_on("name", "birth_date"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker([db_api.register("dept"), db_api.register("roll")], settings,
                    log_level=logging.INFO if verbose else logging.WARNING)
    steps, t = {}, time.perf_counter()

    def step(key):  # wall seconds of each training step, for the JSON line
        nonlocal t
        steps[key], t = round(time.perf_counter() - t, 2), time.perf_counter()

    linker.training.estimate_probability_two_random_records_match(
        [block_on("id_number")], recall=0.8)
    step("train_prior_s")
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    step("train_u_s")
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("id_number"))
    step("train_em_id_s")
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
    step("train_em_birth_s")
    t2 = time.perf_counter()

    pairs = linker.inference.predict(threshold_match_probability=0.9)
    n_pairs, n_rolls = con.execute(
        f"SELECT count(*), count(DISTINCT unique_id_r) FROM {pairs.physical_name}").fetchone()
    t3, ru1 = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)

    n_dept, n_roll = (con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("dept", "roll"))
    out = {
        "splink": splink.__version__, "duckdb": duckdb.__version__, "threads": threads,
        "records": n_dept + n_roll, "department_records": n_dept, "roll_records": n_roll,
        "import_s": round(import_s, 2),
        "normalise_s": round(t1 - t0, 2), "train_s": round(t2 - t1, 2),
        **steps, "predict_s": round(t3 - t2, 2), "total_s": round(t3 - t0, 2),
        "cpu_s": round(ru1.ru_utime + ru1.ru_stime - ru0.ru_utime - ru0.ru_stime, 2),
        # ru_maxrss is KiB on Linux; peak of this whole process, imports included.
        "peak_rss_gib": round(ru1.ru_maxrss / 2**20, 3),
        "pairs": n_pairs, "roll_records_linked": n_rolls,
    }
    if truth:  # untimed: pair precision and recall against truth/rows.csv
        out.update(score(con, pairs.physical_name, truth))
    return out


def score(con, pairs_table, rows_csv):
    con.execute(f"""
        CREATE TABLE truth AS SELECT split_part(source_ref, '#', 1) AS f,
            split_part(source_ref, '#', 2)::INT AS r,
            CASE role WHEN 'father' THEN 1 WHEN 'mother' THEN 2 ELSE 0 END AS slot, person_id
        FROM read_csv('{rows_csv}', all_varchar = true);
        CREATE TABLE who AS SELECT unique_id, role, person_id FROM raw
        LEFT JOIN truth ON f = source_file AND r = source_row AND truth.slot = raw.slot""")
    good, = con.execute(f"""SELECT count(*) FROM {pairs_table} p
        JOIN who l ON l.unique_id = p.unique_id_l JOIN who r ON r.unique_id = p.unique_id_r
        WHERE l.person_id = r.person_id""").fetchone()
    true_pairs, unknown = con.execute("""
        SELECT sum(d * r), (SELECT count(*) FROM who WHERE person_id IS NULL) FROM (
          SELECT count(*) FILTER (role = 'department') AS d, count(*) FILTER (role = 'roll') AS r
          FROM who WHERE person_id IS NOT NULL GROUP BY person_id)""").fetchone()
    n = con.execute(f"SELECT count(*) FROM {pairs_table}").fetchone()[0]
    return {"pair_precision": round(good / max(n, 1), 4),
            "pair_recall": round(good / max(true_pairs, 1), 4),
            "records_without_truth": unknown}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("county", type=Path, help="dir made by `loubao sample` (or its inbox)")
    ap.add_argument("--threads", type=int, default=2, help="DuckDB threads (default 2)")
    ap.add_argument("--json", action="store_true", help="print one machine-readable line")
    ap.add_argument("--truth", action="store_true",
                    help="also score the pairs against <county>/truth/rows.csv (untimed)")
    ap.add_argument("--verbose", action="store_true", help="Splink's INFO log on stderr")
    ap.add_argument("--timed-child", type=Path, help=argparse.SUPPRESS)  # internal
    a = ap.parse_args()

    if a.timed_child:
        print(json.dumps(timed_linkage(a.timed_child, a.threads,
                                       a.county if a.truth else None, a.verbose)))
        return

    county, inbox = a.county.resolve(), a.county.resolve()
    if (county / "pipeline.toml").exists():
        cfg = tomllib.loads((county / "pipeline.toml").read_text(encoding="utf-8"))
        inbox = (county / cfg.get("inbox", "inbox")).resolve()
    elif (county / "inbox").is_dir():
        inbox = county / "inbox"
    truth = county / "truth" / "rows.csv"
    if a.truth and not truth.exists():
        sys.exit(f"no {truth}")
    with tempfile.TemporaryDirectory(prefix="splink-bench-") as tmp:
        parquet = Path(tmp) / "records.parquet"
        started = time.perf_counter()
        n = prepare(inbox, parquet)
        print(f"prepared {n} records from {inbox} in {time.perf_counter() - started:.1f} s "
              f"(untimed)", file=sys.stderr)
        cmd = [sys.executable, os.path.abspath(__file__), str(truth), "--timed-child",
               str(parquet), "--threads", str(a.threads)] + \
            (["--truth"] if a.truth else []) + (["--verbose"] if a.verbose else [])
        child = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True)
    r = json.loads(child.stdout.strip().splitlines()[-1])
    if a.json:
        print(json.dumps(r))
        return
    print(f"splink {r['splink']}, duckdb {r['duckdb']}, {r['threads']} threads")
    print(f"records: {r['records']} ({r['department_records']} department, "
          f"{r['roll_records']} roll)")
    print(f"normalise {r['normalise_s']} s, train {r['train_s']} s, predict {r['predict_s']} s"
          f" -> total {r['total_s']} s wall, {r['cpu_s']} s cpu (imports {r['import_s']} s, "
          f"not counted)")
    print(f"peak RSS {r['peak_rss_gib']} GiB; pairs >= 0.9: {r['pairs']} "
          f"({r['roll_records_linked']} roll records linked)")
    if "pair_precision" in r:
        print(f"truth: pair precision {r['pair_precision']}, recall {r['pair_recall']}, "
              f"{r['records_without_truth']} records without truth")


if __name__ == "__main__":
    main()
