//! Each row's facts beyond identity, typed once per kind (`Observation`): amounts in fen,
//! dates, a parsed certificate, statuses as written. The rules read only these.

use crate::ingest::RowRef;
use crate::model::{
    ChildRow, Claim, Disability, DisabilityCategory, Emergency, Field, Monitoring, Observation,
    Request, RollEntry, SourceKind, Unemployment,
};

use super::ids::Certificate;

/// What `record` says about its subject. `certificate` is the row's parsed certificate
/// number, if any (normalise reads it once, for the ID and for category and grade).
pub fn observe(record: RowRef<'_>, certificate: Option<&Certificate>) -> Observation {
    let text = |field| record.trimmed(field).map(str::to_string);
    match record.kind() {
        SourceKind::Agriculture => Observation::Monitoring(Box::new(Monitoring {
            category: text(Field::MonitorCategory),
            since: record.date(Field::MonitorDate),
            risk: text(Field::RiskType),
            risk_cleared: record.flag(Field::RiskCleared),
        })),
        SourceKind::Medical => Observation::Claims(Box::new([claim(record)])),
        SourceKind::Disability => Observation::Disability(disability(record, certificate)),
        SourceKind::Petition | SourceKind::Hotline => Observation::Request(Box::new(Request {
            date: record.date(Field::RequestDate),
            kind: text(Field::RequestType),
            content: text(Field::RequestContent),
            status: text(Field::HandlingStatus),
        })),
        SourceKind::Unemployment => Observation::Unemployment(Box::new(Unemployment {
            registered: record.date(Field::RegistrationDate),
            status: text(Field::EmploymentStatus),
            insured: record.flag(Field::Insured),
        })),
        SourceKind::Emergency => Observation::Emergency(Box::new(Emergency {
            event: text(Field::EventType),
            date: record.date(Field::EventDate),
            hardship: text(Field::Hardship),
        })),
        SourceKind::Children => Observation::Child(Box::new(ChildRow {
            father_status: text(Field::FatherStatus),
            mother_status: text(Field::MotherStatus),
        })),
        SourceKind::Dibao
        | SourceKind::Tekun
        | SourceKind::Orphan
        | SourceKind::Fuc
        | SourceKind::TempAssistance
        | SourceKind::LowIncome => Observation::Roll(Box::new(RollEntry {
            status: text(Field::RollStatus),
            start: record.date(Field::StartDate),
            end: record.date(Field::EndDate),
            aided: record.date(Field::AidDate),
        })),
    }
}

/// Yuan to fen, rounded: `12.345` → 1235.
pub fn to_cents(yuan: f64) -> i64 {
    (yuan * 100.0).round() as i64
}

/// Category and grade from their columns, falling back to the certificate number's last
/// two digits.
fn disability(record: RowRef<'_>, certificate: Option<&Certificate>) -> Disability {
    Disability {
        category: record
            .text(Field::DisabilityCategory)
            .and_then(DisabilityCategory::from_text)
            .or(certificate.map(|c| c.category)),
        grade: record
            .text(Field::DisabilityGrade)
            .and_then(parse_grade)
            .or(certificate.map(|c| c.grade)),
        issued: record.date(Field::CertIssueDate),
    }
}

/// `二级`, `2级`, `2`, `二`, `Ⅱ级` → 2.
pub fn parse_grade(text: &str) -> Option<u8> {
    text.chars().find_map(|c| match c {
        '一' | '1' | 'Ⅰ' => Some(1),
        '二' | '2' | 'Ⅱ' => Some(2),
        '三' | '3' | 'Ⅲ' => Some(3),
        '四' | '4' | 'Ⅳ' => Some(4),
        _ => None,
    })
}

/// The cells of a medical row that are its claim line's own: they differ from line to line
/// while the person stays the same.
pub const CLAIM_LINE_FIELDS: [Field; 3] =
    [Field::SettlementDate, Field::TotalCost, Field::OutOfPocket];

/// The claim line a medical row gives.
pub fn claim(record: RowRef<'_>) -> Claim {
    Claim {
        out_of_pocket_cents: record.amount(Field::OutOfPocket).map(to_cents),
        settled: record.date(Field::SettlementDate),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{RawRecord, SourceRef, Value};
    use crate::normalise::parse_certificate;

    fn disability_row(fields: Vec<(Field, &str)>) -> Disability {
        let mut fields: Vec<(Field, Value)> = fields
            .into_iter()
            .map(|(f, s)| (f, Value::Text(s.into())))
            .collect();
        fields.sort_by_key(|(f, _)| *f);
        let record = RawRecord {
            kind: SourceKind::Disability,
            source: SourceRef::new("残联.xlsx", None, 2),
            fields,
        };
        let rows = crate::ingest::Rows::from(vec![record]);
        let record = rows.get(0).unwrap();
        let certificate = [Field::CertNumber, Field::IdNumber]
            .into_iter()
            .find_map(|f| record.text(f).and_then(parse_certificate));
        disability(record, certificate.as_ref())
    }

    #[test]
    fn grade_is_read_from_words_digits_and_roman_numerals() {
        for (text, grade) in [("一级", 1), ("2级", 2), ("二", 2), ("Ⅲ级", 3), ("四级", 4)]
        {
            assert_eq!(parse_grade(text), Some(grade), "{text}");
        }
        assert_eq!(parse_grade("重度"), None);
    }

    #[test]
    fn category_is_read_from_words_or_code() {
        use DisabilityCategory as C;
        assert_eq!(C::from_text("智力残疾"), Some(C::Intellectual));
        assert_eq!(C::from_text("7"), Some(C::Multiple));
        assert_eq!(C::from_text("8"), None);
        assert_eq!(C::from_text("其他"), None);
    }

    #[test]
    fn certificate_number_gives_category_and_grade_when_columns_are_missing() {
        let d = disability_row(vec![(Field::CertNumber, "41012319900101123461")]);
        assert_eq!(d.category, Some(DisabilityCategory::Mental));
        assert_eq!(d.grade, Some(1));
        // Columns win over the certificate digits.
        let d = disability_row(vec![
            (Field::CertNumber, "41012319900101123461"),
            (Field::DisabilityGrade, "三级"),
        ]);
        assert_eq!(d.grade, Some(3));
        // A 20-digit number in the ID column is a certificate number too.
        let d = disability_row(vec![(Field::IdNumber, "41012319900101123443")]);
        assert_eq!(
            (d.category, d.grade),
            (Some(DisabilityCategory::Physical), Some(3))
        );
        assert!(!d.meets(2, 3));
    }

    #[test]
    fn amounts_become_fen() {
        assert_eq!(to_cents(12.345), 1235);
        assert_eq!(to_cents(0.1 + 0.2), 30);
    }
}
