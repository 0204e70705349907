//! Townships and villages: canonical names from the pipeline file and the spellings clerks
//! use for them (`城关` = `城关镇` = `城关镇人民政府`).

use std::collections::HashMap;

use crate::config::Township;

/// Suffixes that name a township's government rather than the township itself.
const OFFICE_SUFFIXES: [&str; 4] = ["人民政府", "办事处", "政府", "街道办"];
/// What a village name may be followed by in a column or address.
const VILLAGE_SUFFIXES: [&str; 6] = ["村民委员会", "居民委员会", "村委会", "居委会", "社区", "村"];
const TOWNSHIP_SUFFIXES: [&str; 4] = ["民族乡", "街道", "镇", "乡"];

/// Lookup of townships and their villages, built from the pipeline file.
#[derive(Debug, Clone, Default)]
pub struct Gazetteer {
    townships: Vec<TownshipEntry>,
    /// Every accepted spelling (squeezed, office suffix removed) → township index.
    by_name: HashMap<String, usize>,
    /// Spellings long enough to search for inside an address, longest first.
    address_names: Vec<(String, usize)>,
}

#[derive(Debug, Clone)]
struct TownshipEntry {
    name: String,
    /// (spelling, canonical village name), longest spelling first.
    villages: Vec<(String, usize)>,
    village_names: Vec<String>,
}

impl Gazetteer {
    pub fn new(townships: &[Township]) -> Gazetteer {
        let mut g = Gazetteer::default();
        // Stems (`城关` for `城关镇`) only count when no other township shares them.
        let mut stems: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, township) in townships.iter().enumerate() {
            let mut spellings = vec![squeeze(&township.name)];
            spellings.extend(township.aliases.iter().map(|a| squeeze(a)));
            for spelling in spellings {
                let spelling = strip_office(&spelling).to_string();
                if spelling.is_empty() {
                    continue;
                }
                if let Some(stem) = strip_any(&spelling, &TOWNSHIP_SUFFIXES) {
                    stems.entry(stem.to_string()).or_default().push(index);
                }
                g.address_names.push((spelling.clone(), index));
                g.by_name.insert(spelling, index);
            }
            let mut villages = Vec::new();
            for (v, village) in township.villages.iter().enumerate() {
                let full = squeeze(village);
                if let Some(stem) = strip_any(&full, &VILLAGE_SUFFIXES) {
                    // A one-character stem would match inside too many other words.
                    if stem.chars().count() >= 2 {
                        villages.push((stem.to_string(), v));
                    }
                }
                villages.push((full, v));
            }
            villages.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.1.cmp(&b.1)));
            g.townships.push(TownshipEntry {
                name: township.name.trim().to_string(),
                villages,
                village_names: township
                    .villages
                    .iter()
                    .map(|v| v.trim().to_string())
                    .collect(),
            });
        }
        for (stem, mut owners) in stems {
            owners.dedup();
            if let [index] = owners[..] {
                g.by_name.entry(stem).or_insert(index);
            }
        }
        g.address_names
            .sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.1.cmp(&b.1)));
        g
    }

    /// The canonical township a township cell or short text names; a cell holding a whole
    /// address is searched like one.
    pub fn township_of(&self, text: &str) -> Option<&str> {
        let key = squeeze(text);
        match self.by_name.get(strip_office(&key)) {
            Some(&index) => Some(&self.townships[index].name),
            None => self
                .find_township(&key)
                .map(|(index, _)| self.townships[index].name.as_str()),
        }
    }

    /// The whole text is a spelling of a configured township (name, alias or unique stem).
    pub fn is_township(&self, text: &str) -> bool {
        self.by_name.contains_key(strip_office(&squeeze(text)))
    }

    /// The whole text is a village some configured township lists.
    pub fn is_village(&self, text: &str) -> bool {
        let key = squeeze(text);
        let stem = strip_any(&key, &VILLAGE_SUFFIXES);
        self.townships.iter().any(|t| {
            t.villages
                .iter()
                .any(|(spelling, _)| *spelling == key || stem == Some(spelling.as_str()))
        })
    }

    /// (township, canonical village) a village cell names, looked up within `township`
    /// when it is known; without one, a village name several townships share gives `None`.
    pub fn village_of(&self, township: Option<&str>, text: &str) -> Option<(&str, &str)> {
        self.find_village(township, &squeeze(text), true)
    }

    /// Township and village named in an address (`XX县城关镇王庄村3组`). A village that only
    /// one township has decides the township too; anything unknown stays `None`.
    pub fn parse_address(&self, address: &str) -> (Option<&str>, Option<&str>) {
        let key = squeeze(address);
        match self.find_township(&key) {
            Some((index, after)) => {
                let township = self.townships[index].name.as_str();
                let village = self
                    .find_village(Some(township), &key[after..], false)
                    .map(|(_, v)| v);
                (Some(township), village)
            }
            None => match self.find_village(None, &key, false) {
                Some((township, village)) => (Some(township), Some(village)),
                None => (None, None),
            },
        }
    }

    /// The earliest (then longest) township spelling in `text`, and the byte offset after it.
    fn find_township(&self, text: &str) -> Option<(usize, usize)> {
        self.address_names
            .iter()
            .filter_map(|(name, index)| text.find(name.as_str()).map(|at| (at, name, *index)))
            .min_by(|a, b| a.0.cmp(&b.0).then(b.1.len().cmp(&a.1.len())))
            .map(|(at, name, index)| (index, at + name.len()))
    }

    /// A village spelling in `text` (the whole text when `exact`), as (township, village).
    /// Without a township, a spelling several townships share decides nothing.
    fn find_village(
        &self,
        township: Option<&str>,
        text: &str,
        exact: bool,
    ) -> Option<(&str, &str)> {
        let stem = strip_any(text, &VILLAGE_SUFFIXES);
        let mut hits = self
            .townships
            .iter()
            .filter(|t| township.is_none_or(|name| t.name == name))
            .filter_map(|t| {
                t.villages
                    .iter()
                    .filter(|(spelling, _)| {
                        if exact {
                            spelling == text || stem == Some(spelling.as_str())
                        } else {
                            text.contains(spelling.as_str())
                        }
                    })
                    .min_by_key(|(spelling, _)| {
                        (text.find(spelling.as_str()), usize::MAX - spelling.len())
                    })
                    .map(|(_, v)| (t.name.as_str(), t.village_names[*v].as_str()))
            });
        let first = hits.next()?;
        hits.next().is_none().then_some(first)
    }
}

/// Removes whitespace (U+3000 included) and maps fullwidth ASCII to ASCII.
fn squeeze(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c as u32 {
            code @ 0xFF01..=0xFF5E => char::from_u32(code - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

fn strip_office(text: &str) -> &str {
    strip_any(text, &OFFICE_SUFFIXES).unwrap_or(text)
}

/// `text` without the first of `suffixes` it ends with, if the remainder is not empty.
fn strip_any<'a>(text: &'a str, suffixes: &[&str]) -> Option<&'a str> {
    suffixes
        .iter()
        .find_map(|s| text.strip_suffix(s))
        .filter(|rest| !rest.is_empty())
}
