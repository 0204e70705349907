//! Bounded fuzzing with proptest: the readers and the ID parser must turn any bytes into
//! records or reasons, never a panic. Case counts are kept small so the suite stays fast;
//! raise `PROPTEST_CASES` for a longer hunt.

use std::io::Write;

use loubao::config::{InputLimits, SourceSpec};
use loubao::ingest::{ingest, Vocabulary};
use loubao::model::SourceKind;
use loubao::normalise::ids::{parse_certificate, parse_resident_id};
use loubao::normalise::names::normalise_name;
use loubao::normalise::phones::normalise_phones;
use proptest::prelude::*;

/// 64 cases per property by default; `PROPTEST_CASES=5000 cargo test --test fuzz` hunts longer.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

fn spec() -> SourceSpec {
    SourceSpec {
        kind: SourceKind::Medical,
        glob: "*".into(),
        sheet: None,
        columns: Default::default(),
    }
}

/// Ingests `bytes` saved under `name`; every outcome but a panic is acceptable, and the file
/// must always be accounted for (records or a reason).
fn ingest_bytes(name: &str, bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), bytes).unwrap();
    let out = ingest(
        dir.path(),
        &[spec()],
        &InputLimits::default(),
        &Vocabulary::default(),
    );
    assert_eq!(out.files.len(), 1);
    let file = &out.files[0];
    assert!(
        file.error.is_some() || !file.sheets.is_empty(),
        "{name}: neither read nor rejected"
    );
    assert_rows_accounted(&out);
}

/// Row accounting: every data row read is either a record or a reject, each reject names a
/// row below the header, and the file's counts are its sheets' sums.
fn assert_rows_accounted(out: &loubao::ingest::IngestOutput) {
    let file = &out.files[0];
    let read: usize = file.sheets.iter().map(|s| s.rows_read).sum();
    let rejected: usize = file.sheets.iter().map(|s| s.rows_rejected).sum();
    assert_eq!(read, out.records.len() + rejected, "read = used + rejected");
    assert_eq!(file.rows_read, read);
    assert_eq!(file.rows_rejected, rejected);
    let row_rejects = out.rejects.iter().filter(|r| r.row.is_some()).count();
    assert_eq!(
        row_rejects,
        rejected.min(1000),
        "each rejected row is listed"
    );
    let first_header = file.sheets.iter().map(|s| s.header_row).min().unwrap_or(0);
    for r in out.rejects.iter().filter_map(|r| r.row) {
        assert!(r > first_header, "reject row {r} below the header");
    }
}

/// A small valid workbook to mutate: mutations of real structure reach deeper than noise.
fn sample_xlsx() -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let rows = [
        ["姓名", "身份证号", "结算日期", "个人自付"],
        ["张三", "410123199001011237", "2021-03-05", "1,200.50"],
        ["合计", "", "", "1200.5"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *cell).unwrap();
        }
    }
    workbook.save_to_buffer().unwrap()
}

/// A delimited text table in GB18030 to mutate.
fn sample_csv() -> Vec<u8> {
    let text =
        "医保结算明细\n姓名,身份证号,结算日期,个人自付\n张三,410123199001011237,2021/3/5,1200元\n";
    encoding_rs::GB18030.encode(text).0.into_owned()
}

fn mutate(mut base: Vec<u8>, edits: &[(usize, u8)]) -> Vec<u8> {
    for &(at, byte) in edits {
        let len = base.len();
        base[at % len] = byte;
    }
    base
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_as_csv(bytes in proptest::collection::vec(any::<u8>(), 1..2048)) {
        ingest_bytes("医保.csv", &bytes);
    }

    #[test]
    fn random_bytes_as_xlsx(bytes in proptest::collection::vec(any::<u8>(), 1..2048)) {
        ingest_bytes("医保.xlsx", &bytes);
    }

    #[test]
    fn mutated_xlsx(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
        ingest_bytes("医保.xlsx", &mutate(sample_xlsx(), &edits));
    }

    #[test]
    fn mutated_gb18030_csv(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
        ingest_bytes("医保.csv", &mutate(sample_csv(), &edits));
    }

    #[test]
    fn truncated_xlsx(cut in 1usize..4096) {
        let bytes = sample_xlsx();
        let cut = cut % bytes.len();
        ingest_bytes("医保.xlsx", &bytes[..cut.max(1)]);
    }

    /// Every mix of line endings, with blank and 合计 rows among the data: each physical row
    /// below the header is used, rejected or skipped, and the 6 data rows are all used.
    #[test]
    fn every_line_ending_mix_reads_every_row(
        ends in proptest::collection::vec(0usize..3, 9),
        extras in proptest::collection::vec(0usize..3, 9),
    ) {
        let mut text = String::from("姓名,身份证号,结算日期,个人自付");
        let mut rows = 0;
        for (i, (end, extra)) in ends.iter().zip(&extras).enumerate() {
            text.push_str(["\r\n", "\n", "\r"][*end]);
            rows += 1;
            match (i, extra) {
                (0..=5, _) => text.push_str(&format!("张{i},410123199001011237,2021-03-0{},100", i + 1)),
                (_, 0) => text.push_str(",,,"),
                (_, 1) => text.push_str("合计,,,600"),
                _ => text.push_str("李{i},,不是日期,100"),
            }
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("医保.csv"), &text).unwrap();
        let out = ingest(dir.path(), &[spec()], &InputLimits::default(), &Vocabulary::default());
        prop_assert_eq!(out.records.len(), 6);
        assert_rows_accounted(&out);
        let sheet = &out.files[0].sheets[0];
        prop_assert_eq!(sheet.rows_read + sheet.rows_skipped, rows, "used + rejected + skipped");
    }

    #[test]
    fn identity_parsers_take_any_text(text in "\\PC{0,40}") {
        if let Some(id) = parse_resident_id(&text) {
            // A damaged ID is never an exact key; a key is always 18 characters.
            if let Some(key) = id.exact_key() {
                prop_assert_eq!(key.chars().count(), 18);
            }
        }
        let _ = parse_certificate(&text);
        let _ = normalise_name(&text);
        for phone in normalise_phones(&text) {
            prop_assert!(phone.chars().all(|c| c.is_ascii_digit()));
        }
    }

    #[test]
    fn id_parser_takes_digit_soup(text in "[0-9xX.Ee+\\- '０-９]{0,30}") {
        let _ = parse_resident_id(&text);
    }
}

/// An endless line (no newline at all) is refused by the line limit, not read into memory
/// as one cell.
#[test]
fn endless_line_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut file = std::fs::File::create(dir.path().join("医保.csv")).unwrap();
    file.write_all("姓名,身份证号,结算日期,个人自付\n".as_bytes())
        .unwrap();
    file.write_all(&vec![b'9'; 4 << 20]).unwrap();
    drop(file);
    let out = ingest(
        dir.path(),
        &[spec()],
        &InputLimits::default(),
        &Vocabulary::default(),
    );
    assert!(out.records.is_empty());
    assert!(
        out.rejects
            .iter()
            .any(|r| r.reason.contains("长度超过上限")),
        "{:?}",
        out.rejects
    );
}

/// A small inbox whose files are mutated, run through the real binary: the run ends with a
/// known exit code, and no cell of any CSV it writes holds a control character or starts
/// with a formula character unescaped.
mod whole_run {
    use super::*;

    const PIPELINE: &str = "county = \"测试县\"\nas_of = 2021-06-30\ninbox = \"inbox\"\noutbox = \"out\"\n\n[[townships]]\nname = \"城关镇\"\n\n[[sources]]\nkind = \"medical\"\nglob = \"医保*\"\n\n[[sources]]\nkind = \"dibao\"\nglob = \"低保*\"\n";

    fn medical() -> Vec<u8> {
        let mut text = String::from("姓名,身份证号,结算日期,个人自付,乡镇\n");
        for (i, name) in ["张三", "李四", "王五", "赵六"].iter().enumerate() {
            text.push_str(&format!(
                "{name},41012319{}0101123{i},2021-03-0{},45000,城关镇\n",
                70 + i,
                i + 1
            ));
        }
        text.into_bytes()
    }

    fn dibao() -> Vec<u8> {
        encoding_rs::GB18030
            .encode("姓名,身份证号,保障状态,起始日期,终止日期,乡镇\n李四,410123197101011231,在保,2019-01-01,,城关镇\n")
            .0
            .into_owned()
    }

    fn assert_outputs_are_clean(folder: &std::path::Path) {
        for entry in std::fs::read_dir(folder).unwrap().flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "csv") {
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(text.as_bytes());
            for record in reader.records() {
                for cell in record.unwrap().iter() {
                    // The one allowed control character: the tab that keeps a long digit
                    // run (an ID) text in spreadsheets.
                    let cell = match cell.strip_prefix('\t') {
                        Some(digits)
                            if digits.len() >= 11
                                && digits
                                    .trim_end_matches('X')
                                    .bytes()
                                    .all(|b| b.is_ascii_digit()) =>
                        {
                            digits
                        }
                        _ => cell,
                    };
                    assert!(
                        !cell.chars().any(char::is_control),
                        "{}: control character in {cell:?}",
                        path.display()
                    );
                    let formula = cell.starts_with(['=', '+', '-', '@'])
                        && cell.len() > 1
                        && cell.parse::<f64>().is_err();
                    assert!(!formula, "{}: unescaped formula {cell:?}", path.display());
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: cases() / 8, ..ProptestConfig::default() })]

        #[test]
        fn mutated_inboxes_run_to_a_known_end(
            medical_edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..6),
            dibao_edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..6),
        ) {
            let dir = tempfile::tempdir().unwrap();
            std::fs::create_dir(dir.path().join("inbox")).unwrap();
            std::fs::write(dir.path().join("pipeline.toml"), PIPELINE).unwrap();
            std::fs::write(dir.path().join("inbox/医保.csv"), mutate(medical(), &medical_edits)).unwrap();
            std::fs::write(dir.path().join("inbox/低保.csv"), mutate(dibao(), &dibao_edits)).unwrap();
            let status = std::process::Command::new(env!("CARGO_BIN_EXE_loubao"))
                .args(["--quiet", "run"])
                .arg(dir.path().join("pipeline.toml"))
                .status()
                .unwrap();
            prop_assert!(matches!(status.code(), Some(0 | 3 | 5)), "exit {status}");
            if let Some(folder) = std::fs::read_dir(dir.path().join("out"))
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .find(|p| p.is_dir() && !p.file_name().unwrap().to_string_lossy().starts_with('.'))
            {
                assert_outputs_are_clean(&folder);
            }
        }
    }
}
