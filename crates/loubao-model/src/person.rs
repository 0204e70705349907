//! One person as one source row describes him (or a run of his claim lines), after
//! normalisation.

use std::sync::Arc;

use chrono::NaiveDate;
use compact_str::CompactString;
use serde::{Deserialize, Serialize};

use crate::{Observation, SourceKind, SourceRef};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Sex {
    Male,
    Female,
}

/// Which person of a raw record a `PersonRecord` describes: children-at-risk rows name the
/// child and both parents; the parents are linked like anyone else (R05 needs their
/// disability records) but only the child is screened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    Subject,
    Father,
    Mother,
}

/// What became of a resident ID on normalisation (SPEC 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum IdQuality {
    /// Valid 18-digit ID as written.
    Clean,
    /// Valid after removing formatting (fullwidth digits, spaces, dashes, apostrophe, lowercase x).
    Reformatted,
    /// 15-digit ID upgraded to 18 digits.
    Upgraded15,
    /// Taken from the 20-digit disability certificate number.
    FromCertificate,
    /// Damaged: check character does not match.
    BadCheck,
    /// Damaged: birth date impossible.
    BadDate,
    /// Damaged: Excel scientific/float text lost the trailing digits.
    ExcelFloat,
    /// Damaged: Excel float rounding left `000` at the end.
    Trailing000,
    /// Damaged: neither 15 nor 18 characters, or non-digit characters.
    WrongLength,
}

impl IdQuality {
    pub fn is_valid(self) -> bool {
        matches!(
            self,
            IdQuality::Clean
                | IdQuality::Reformatted
                | IdQuality::Upgraded15
                | IdQuality::FromCertificate
        )
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            IdQuality::Clean => "有效",
            IdQuality::Reformatted => "格式已修正",
            IdQuality::Upgraded15 => "15位已升18位",
            IdQuality::FromCertificate => "取自残疾人证号",
            IdQuality::BadCheck => "校验码错误",
            IdQuality::BadDate => "出生日期无效",
            IdQuality::ExcelFloat => "被Excel转为科学计数法",
            IdQuality::Trailing000 => "被Excel截为000结尾",
            IdQuality::WrongLength => "位数或字符错误",
        }
    }

    /// English name a maintainer reads under `--lang en`.
    pub fn label_en(self) -> &'static str {
        match self {
            IdQuality::Clean => "valid",
            IdQuality::Reformatted => "format corrected",
            IdQuality::Upgraded15 => "15 digits made 18",
            IdQuality::FromCertificate => "from the disability certificate",
            IdQuality::BadCheck => "wrong check character",
            IdQuality::BadDate => "invalid birth date",
            IdQuality::ExcelFloat => "turned into a float by Excel",
            IdQuality::Trailing000 => "cut to 000 by Excel",
            IdQuality::WrongLength => "wrong length or characters",
        }
    }
}

/// A resident ID after normalisation. A damaged ID keeps whatever digits survived for fuzzy
/// comparison but is never an exact key. Its digits are inline (no allocation per record).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ResidentId {
    /// 18 characters when valid (upper-case `X`); the surviving digits otherwise.
    pub digits: CompactString,
    pub quality: IdQuality,
    /// How many leading characters of `digits` are trustworthy (18 when valid; for an Excel
    /// float, the digits before the rounding; for 15-digit damage, region + birth date).
    pub reliable_prefix: u8,
}

impl ResidentId {
    /// The exact-match key: only for valid IDs.
    pub fn exact_key(&self) -> Option<&str> {
        self.quality.is_valid().then_some(self.digits.as_str())
    }

    /// A valid ID that may still be damaged: one ending in `000` (Excel pads a rounded
    /// number with zeros, and one padded ID in eleven passes the check by chance), or one
    /// upgraded from 15 digits (its century is inferred, not read).
    pub fn may_be_damaged(&self) -> bool {
        self.quality.is_valid()
            && (self.quality == IdQuality::Upgraded15 || self.digits.ends_with("000"))
    }

    /// A valid ID that cannot be a damaged one: it names its person.
    pub fn names_its_person(&self) -> bool {
        self.quality.is_valid() && !self.may_be_damaged()
    }
}

/// A name cleaned for matching; `display` keeps what the clerk typed. Inline up to 24 bytes
/// (eight Han characters), so a county's millions of names need no allocation each.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PersonName {
    pub display: CompactString,
    /// Trimmed, no inner spaces, halfwidth, simplified, one middle dot.
    pub key: CompactString,
    /// Toneless pinyin per character, space-separated (`wang wei`).
    pub pinyin: CompactString,
}

/// Where a row places its person, normalised. One value per distinct place cells, shared
/// by the records that repeat them: three pointers once, not on each of a county's
/// millions of claim lines.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Place {
    /// Canonical township name from the pipeline file, when it could be decided.
    pub township: Option<Arc<str>>,
    pub village: Option<Arc<str>>,
    pub address: Option<Arc<str>>,
}

/// How a row says to reach its person, normalised.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub phones: Vec<String>,
    pub household_id: Option<Box<str>>,
}

impl Contact {
    /// The contact a row gives, `None` when it gives none.
    pub fn of(phones: Vec<String>, household_id: Option<Box<str>>) -> Option<Box<Contact>> {
        (!phones.is_empty() || household_id.is_some()).then(|| {
            Box::new(Contact {
                phones,
                household_id,
            })
        })
    }
}

/// One person as described by one source row, normalised, or by a run of consecutive claim
/// lines that one valid ID names (`Observation::Claims`). The unit of linkage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonRecord {
    pub kind: SourceKind,
    pub role: Role,
    pub source: SourceRef,
    /// Shared: a person's claim lines repeat one name, and normalise cleans it once.
    pub name: Option<Arc<PersonName>>,
    /// Shared: a person's claim lines repeat one ID, and normalise parses it once.
    pub id: Option<Arc<ResidentId>>,
    /// From a valid ID, else a birth-date column, else the surviving ID digits.
    pub birth_date: Option<NaiveDate>,
    pub sex: Option<Sex>,
    /// Phones and household number: `None` when the row gives neither, as claim lines
    /// never do (one pointer then, not two lists on each of a county's millions of lines).
    pub contact: Option<Box<Contact>>,
    /// Shared: a person's claim lines repeat one place, and normalise resolves it once.
    pub place: Arc<Place>,
    /// What the row says beyond who the person is.
    pub observation: Observation,
}

impl PersonRecord {
    /// How many source rows the record stands for: its claim lines, else its one row.
    pub fn lines(&self) -> usize {
        match &self.observation {
            Observation::Claims(lines) => lines.len(),
            _ => 1,
        }
    }

    /// The source rows the record stands for, in order: its own, then the rows of its
    /// later claim lines, which follow it.
    pub fn sources(&self) -> impl Iterator<Item = SourceRef> + '_ {
        (0..self.lines() as u32).map(|k| SourceRef::at(self.source.origin(), self.source.row + k))
    }

    /// The record's place to change, its own copy if it was shared.
    pub fn place_mut(&mut self) -> &mut Place {
        Arc::make_mut(&mut self.place)
    }

    pub fn phones(&self) -> &[String] {
        self.contact.as_ref().map_or(&[], |c| &c.phones)
    }

    pub fn household_id(&self) -> Option<&str> {
        self.contact.as_ref()?.household_id.as_deref()
    }

    /// The record's contact to change, made empty if it had none.
    pub fn contact_mut(&mut self) -> &mut Contact {
        self.contact.get_or_insert_with(Box::default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A county holds hundreds of thousands of these: each byte is a share of its memory.
    #[test]
    fn a_person_record_stays_compact() {
        let size = std::mem::size_of::<PersonRecord>();
        assert!(size <= 80, "PersonRecord is {size} bytes");
    }
}
