//! Where a record came from and what ingest read: source kinds, canonical fields, typed
//! cells, raw rows and rejects.

use std::fmt;
use std::sync::Arc;

use chrono::NaiveDate;
use compact_str::CompactString;
use serde::{Deserialize, Serialize};

/// What a department file is. Screening sources qualify people; rolls say who is covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Agriculture,
    Medical,
    Disability,
    Petition,
    Hotline,
    Unemployment,
    Emergency,
    Children,
    Dibao,
    Tekun,
    Orphan,
    Fuc,
    TempAssistance,
    LowIncome,
}

impl SourceKind {
    pub const ALL: [SourceKind; 14] = [
        SourceKind::Agriculture,
        SourceKind::Medical,
        SourceKind::Disability,
        SourceKind::Petition,
        SourceKind::Hotline,
        SourceKind::Unemployment,
        SourceKind::Emergency,
        SourceKind::Children,
        SourceKind::Dibao,
        SourceKind::Tekun,
        SourceKind::Orphan,
        SourceKind::Fuc,
        SourceKind::TempAssistance,
        SourceKind::LowIncome,
    ];

    /// The seven department sources of SPEC 3.2 that feed R01.
    pub const DEPARTMENTS: [SourceKind; 7] = [
        SourceKind::Agriculture,
        SourceKind::Medical,
        SourceKind::Disability,
        SourceKind::Petition,
        SourceKind::Hotline,
        SourceKind::Unemployment,
        SourceKind::Emergency,
    ];

    /// Assistance rolls kept by the civil-affairs bureau itself.
    pub fn is_roll(self) -> bool {
        matches!(
            self,
            SourceKind::Dibao
                | SourceKind::Tekun
                | SourceKind::Orphan
                | SourceKind::Fuc
                | SourceKind::TempAssistance
                | SourceKind::LowIncome
        )
    }

    /// The key used in pipeline files (`kind = "medical"`).
    pub fn key(self) -> &'static str {
        match self {
            SourceKind::Agriculture => "agriculture",
            SourceKind::Medical => "medical",
            SourceKind::Disability => "disability",
            SourceKind::Petition => "petition",
            SourceKind::Hotline => "hotline",
            SourceKind::Unemployment => "unemployment",
            SourceKind::Emergency => "emergency",
            SourceKind::Children => "children",
            SourceKind::Dibao => "dibao",
            SourceKind::Tekun => "tekun",
            SourceKind::Orphan => "orphan",
            SourceKind::Fuc => "fuc",
            SourceKind::TempAssistance => "temp_assistance",
            SourceKind::LowIncome => "low_income",
        }
    }

    /// Chinese name a clerk reads (来源部门 column, summary).
    pub fn label_zh(self) -> &'static str {
        match self {
            SourceKind::Agriculture => "农业农村局防返贫监测对象",
            SourceKind::Medical => "医保局个人自付",
            SourceKind::Disability => "残联残疾人",
            SourceKind::Petition => "信访局信访",
            SourceKind::Hotline => "12349热线",
            SourceKind::Unemployment => "人社局登记失业",
            SourceKind::Emergency => "应急局因疫因灾",
            SourceKind::Children => "困境儿童",
            SourceKind::Dibao => "低保",
            SourceKind::Tekun => "特困",
            SourceKind::Orphan => "孤儿",
            SourceKind::Fuc => "事实无人抚养儿童",
            SourceKind::TempAssistance => "临时救助",
            SourceKind::LowIncome => "低收入家庭",
        }
    }

    /// English name a maintainer reads under `--lang en`.
    pub fn label_en(self) -> &'static str {
        match self {
            SourceKind::Agriculture => "agriculture: poverty-relapse monitoring",
            SourceKind::Medical => "medical insurance: out of pocket",
            SourceKind::Disability => "disabled persons' federation",
            SourceKind::Petition => "petitions",
            SourceKind::Hotline => "12349 hotline",
            SourceKind::Unemployment => "registered unemployment",
            SourceKind::Emergency => "emergencies and disasters",
            SourceKind::Children => "children at risk",
            SourceKind::Dibao => "dibao (minimum living allowance)",
            SourceKind::Tekun => "tekun (extreme poverty support)",
            SourceKind::Orphan => "orphans",
            SourceKind::Fuc => "de facto unsupported children",
            SourceKind::TempAssistance => "temporary assistance",
            SourceKind::LowIncome => "low-income households",
        }
    }

    pub fn from_key(key: &str) -> Option<SourceKind> {
        SourceKind::ALL.into_iter().find(|k| k.key() == key)
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// A set of source kinds, one bit each. A person's sources are gathered for each of a
/// county's hundreds of thousands of persons: a bit set needs no allocation and two of them
/// join with one `|`. Iterates in `SourceKind` order, as a `BTreeSet` would.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceKinds(u16);

// One bit per kind, at the kind's place in `SourceKind::ALL`.
const _: () = assert!(SourceKind::ALL.len() <= u16::BITS as usize);

impl SourceKinds {
    pub fn insert(&mut self, kind: SourceKind) {
        self.0 |= 1 << kind as u16;
    }

    pub fn contains(self, kind: SourceKind) -> bool {
        self.0 & (1 << kind as u16) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    pub fn iter(self) -> impl Iterator<Item = SourceKind> {
        SourceKind::ALL
            .into_iter()
            .filter(move |&k| self.contains(k))
    }
}

impl FromIterator<SourceKind> for SourceKinds {
    fn from_iter<I: IntoIterator<Item = SourceKind>>(kinds: I) -> SourceKinds {
        let mut set = SourceKinds::default();
        for kind in kinds {
            set.insert(kind);
        }
        set
    }
}

impl std::ops::BitOr for SourceKinds {
    type Output = SourceKinds;

    fn bitor(self, other: SourceKinds) -> SourceKinds {
        SourceKinds(self.0 | other.0)
    }
}

/// A file a record came from, and its sheet when the workbook has more than one data sheet.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceFile {
    pub file: Arc<str>,
    pub sheet: Option<Arc<str>>,
}

impl SourceFile {
    /// One file (and sheet), to be shared by the references to its rows.
    pub fn shared(file: impl Into<Arc<str>>, sheet: Option<Arc<str>>) -> Arc<SourceFile> {
        Arc::new(SourceFile {
            file: file.into(),
            sheet,
        })
    }
}

/// Where a record came from: `<file>#<row>` or `<file>!<sheet>#<row>` (SPEC 3.1).
/// `row` is the physical 1-based row as a spreadsheet shows it, title rows included.
/// The file and sheet are shared by every row of the sheet: millions of records carry one
/// pointer each (16 bytes with the row), not a copy nor two pointers.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "SourceRefFields", from = "SourceRefFields")]
pub struct SourceRef {
    origin: Arc<SourceFile>,
    pub row: u32,
}

impl SourceRef {
    /// A reference into a file of its own; rows of one sheet should share one with `at`.
    pub fn new(file: impl Into<Arc<str>>, sheet: Option<Arc<str>>, row: u32) -> SourceRef {
        SourceRef {
            origin: SourceFile::shared(file, sheet),
            row,
        }
    }

    /// Row `row` of a file already shared.
    pub fn at(origin: &Arc<SourceFile>, row: u32) -> SourceRef {
        SourceRef {
            origin: Arc::clone(origin),
            row,
        }
    }

    pub fn file(&self) -> &str {
        &self.origin.file
    }

    pub fn sheet(&self) -> Option<&str> {
        self.origin.sheet.as_deref()
    }

    pub fn origin(&self) -> &Arc<SourceFile> {
        &self.origin
    }
}

/// The serialised form: the file, sheet and row side by side, as before the file was shared.
#[derive(Serialize, Deserialize)]
struct SourceRefFields {
    file: Arc<str>,
    sheet: Option<Arc<str>>,
    row: u32,
}

impl From<SourceRef> for SourceRefFields {
    fn from(source: SourceRef) -> SourceRefFields {
        SourceRefFields {
            file: source.origin.file.clone(),
            sheet: source.origin.sheet.clone(),
            row: source.row,
        }
    }
}

impl From<SourceRefFields> for SourceRef {
    fn from(fields: SourceRefFields) -> SourceRef {
        SourceRef::new(fields.file, fields.sheet, fields.row)
    }
}

impl fmt::Display for SourceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.sheet() {
            Some(sheet) => write!(f, "{}!{}#{}", self.file(), sheet, self.row),
            None => write!(f, "{}#{}", self.file(), self.row),
        }
    }
}

/// A canonical column. Ingest maps each header onto one of these via the synonym table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    // Person fields common to all kinds.
    Name,
    IdNumber,
    Sex,
    BirthDate,
    Township,
    Village,
    Address,
    Phone,
    HouseholdId,
    Relation,
    // Agriculture.
    MonitorCategory,
    MonitorDate,
    RiskType,
    RiskCleared,
    // Medical.
    SettlementDate,
    TotalCost,
    OutOfPocket,
    // Disability.
    CertNumber,
    DisabilityCategory,
    DisabilityGrade,
    CertIssueDate,
    // Petition / hotline.
    RequestDate,
    RequestType,
    RequestContent,
    HandlingStatus,
    // Unemployment.
    RegistrationDate,
    Insured,
    ReceivesBenefit,
    EmploymentStatus,
    // Emergency.
    EventType,
    EventDate,
    Hardship,
    // Children.
    FatherName,
    FatherId,
    FatherStatus,
    MotherName,
    MotherId,
    MotherStatus,
    // Rolls.
    RollStatus,
    StartDate,
    EndDate,
    AidDate,
    Amount,
    AidType,
    HeadName,
}

/// How a field's cells are typed on ingest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Text,
    Date,
    Amount,
    Bool,
}

impl Field {
    pub fn field_type(self) -> FieldType {
        use Field::*;
        match self {
            BirthDate | MonitorDate | SettlementDate | CertIssueDate | RequestDate
            | RegistrationDate | EventDate | StartDate | EndDate | AidDate => FieldType::Date,
            TotalCost | OutOfPocket | Amount => FieldType::Amount,
            RiskCleared | Insured | ReceivesBenefit => FieldType::Bool,
            _ => FieldType::Text,
        }
    }
}

/// A typed cell value. `T` is how its text is held: inline up to 24 bytes in a hand-built
/// row (`CompactString`), borrowed from its piece once ingested (`&str`), or as typed
/// (`Cow<str>`) on its way in.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Value<T = CompactString> {
    Text(T),
    Date(NaiveDate),
    Amount(f64),
    Bool(bool),
}

impl<T: AsRef<str>> Value<T> {
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s.as_ref()),
            _ => None,
        }
    }
}

impl<T> Value<T> {
    pub fn as_date(&self) -> Option<NaiveDate> {
        match self {
            Value::Date(d) => Some(*d),
            _ => None,
        }
    }
    pub fn as_amount(&self) -> Option<f64> {
        match self {
            Value::Amount(a) => Some(*a),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

/// An input row built by hand (tests, benches), to be stored as ingest stores what it reads
/// (`ingest::Rows::from`). Empty cells are absent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawRecord {
    pub kind: SourceKind,
    pub source: SourceRef,
    /// Sorted by field; at most one value per field.
    pub fields: Vec<(Field, Value)>,
}

/// An input row or file that could not be used, and why. Nothing is dropped silently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reject {
    /// File name (and sheet, row when the problem is a row).
    pub file: String,
    pub sheet: Option<String>,
    /// `None` when the whole file or sheet was rejected.
    pub row: Option<u32>,
    pub kind: Option<SourceKind>,
    /// Chinese, for the clerk.
    pub reason: String,
}

impl Reject {
    /// `<file>!<sheet>#<row>` in the SPEC 3.1 form, or as much of it as is known.
    pub fn reference(&self) -> String {
        let mut s = self.file.clone();
        if let Some(sheet) = &self.sheet {
            s.push('!');
            s.push_str(sheet);
        }
        if let Some(row) = self.row {
            s.push('#');
            s.push_str(&row.to_string());
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sharing the file changed the struct, not what a run log or an explanation says.
    #[test]
    fn a_source_reference_serialises_as_file_sheet_and_row() {
        let source = SourceRef::new("残联.xlsx", Some(Arc::from("2021年")), 7);
        let json = serde_json::to_string(&source).unwrap();
        assert_eq!(json, r#"{"file":"残联.xlsx","sheet":"2021年","row":7}"#);
        let back: SourceRef = serde_json::from_str(&json).unwrap();
        assert_eq!(back, source);
        assert_eq!(back.to_string(), "残联.xlsx!2021年#7");
    }

    /// The bit of a kind is its discriminant, and `iter` walks `ALL`: both orders must be
    /// `SourceKind`'s own, or a set would list its kinds unlike the `BTreeSet` it replaced.
    #[test]
    fn a_kind_set_holds_and_lists_kinds_as_a_btree_set_does() {
        for (i, kind) in SourceKind::ALL.into_iter().enumerate() {
            assert_eq!(kind as usize, i, "{kind} is out of place in ALL");
        }
        let some = [
            SourceKind::LowIncome,
            SourceKind::Medical,
            SourceKind::Dibao,
            SourceKind::Medical,
            SourceKind::Agriculture,
        ];
        let set: SourceKinds = some.into_iter().collect();
        let btree: std::collections::BTreeSet<SourceKind> = some.into_iter().collect();
        assert_eq!(
            set.iter().collect::<Vec<_>>(),
            btree.into_iter().collect::<Vec<_>>()
        );
        assert_eq!(set.len(), 4);
        assert!(set.contains(SourceKind::Dibao) && !set.contains(SourceKind::Orphan));
        let joined = set | [SourceKind::Orphan].into_iter().collect();
        assert_eq!(joined.len(), 5);
        assert!(SourceKinds::default().is_empty() && !joined.is_empty());
    }

    #[test]
    fn rows_of_one_file_share_it() {
        let first = SourceRef::new("低保.xlsx", None, 3);
        let next = SourceRef::at(first.origin(), 4);
        assert!(Arc::ptr_eq(first.origin(), next.origin()));
        assert!(first < next);
        assert_eq!(next.to_string(), "低保.xlsx#4");
    }
}
