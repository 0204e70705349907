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
