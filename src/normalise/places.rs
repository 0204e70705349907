//! Townships and villages: canonical names from the pipeline file and the spellings clerks
//! use for them (`城关` = `城关镇` = `城关镇人民政府`).

use std::cmp::Reverse;
use std::collections::HashMap;

use aho_corasick::AhoCorasick;

use crate::config::Township;

/// Suffixes that name a township's government rather than the township itself.
const OFFICE_SUFFIXES: [&str; 4] = ["人民政府", "办事处", "政府", "街道办"];
/// What a village name may be followed by in a column or address.
const VILLAGE_SUFFIXES: [&str; 6] = ["村民委员会", "居民委员会", "村委会", "居委会", "社区", "村"];
const TOWNSHIP_SUFFIXES: [&str; 4] = ["民族乡", "街道", "镇", "乡"];

/// Lookup of townships and their villages, built from the pipeline file.
#[derive(Debug, Clone)]
pub struct Gazetteer {
    townships: Vec<TownshipEntry>,
    /// Every accepted spelling (squeezed, office suffix removed) → township index.
    by_name: HashMap<String, usize>,
    /// Spellings long enough to search for inside an address, longest first.
    address_names: Vec<(String, usize)>,
    /// Every spelling of `address_names` found in one pass over an address (pattern `i` is
    /// `address_names[i]`): a county's addresses are millions, its spellings hundreds.
    township_spellings: AhoCorasick,
    /// Every village spelling of every township, as (township, position in its `villages`).
    village_spellings: AhoCorasick,
    village_of_pattern: Vec<(usize, usize)>,
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
        let mut entries: Vec<TownshipEntry> = Vec::new();
        let mut by_name: HashMap<String, usize> = HashMap::new();
        let mut address_names: Vec<(String, usize)> = Vec::new();
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
                address_names.push((spelling.clone(), index));
                by_name.insert(spelling, index);
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
            entries.push(TownshipEntry {
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
                by_name.entry(stem).or_insert(index);
            }
        }
        address_names.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.1.cmp(&b.1)));
        let village_of_pattern: Vec<(usize, usize)> = entries
            .iter()
            .enumerate()
            .flat_map(|(t, entry)| (0..entry.villages.len()).map(move |j| (t, j)))
            .collect();
        Gazetteer {
            township_spellings: automaton(address_names.iter().map(|(name, _)| name)),
            village_spellings: automaton(
                village_of_pattern
                    .iter()
                    .map(|&(t, j)| &entries[t].villages[j].0),
            ),
            village_of_pattern,
            townships: entries,
            by_name,
            address_names,
        }
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

    /// The earliest (then longest, then first listed) township spelling in `text`, and the
    /// byte offset after it.
    fn find_township(&self, text: &str) -> Option<(usize, usize)> {
        self.township_spellings
            .find_overlapping_iter(text)
            .min_by_key(|m| (m.start(), Reverse(m.len()), m.pattern()))
            .map(|m| (self.address_names[m.pattern()].1, m.end()))
    }

    /// A village spelling in `text` (the whole text when `exact`), as (township, village).
    /// Without a township, a spelling several townships share decides nothing.
    fn find_village(
        &self,
        township: Option<&str>,
        text: &str,
        exact: bool,
    ) -> Option<(&str, &str)> {
        let wanted = |t: &TownshipEntry| township.is_none_or(|name| t.name == name);
        let mut hits: Vec<(usize, usize)> = if exact {
            let stem = strip_any(text, &VILLAGE_SUFFIXES);
            self.townships
                .iter()
                .enumerate()
                .filter(|(_, t)| wanted(t))
                .filter_map(|(index, t)| {
                    t.villages
                        .iter()
                        .position(|(spelling, _)| spelling == text || stem == Some(spelling))
                        .map(|j| (index, j))
                })
                .collect()
        } else {
            // Per township, its earliest (then longest, then first listed) spelling.
            let mut best: Vec<Option<(usize, Reverse<usize>, usize)>> =
                vec![None; self.townships.len()];
            for m in self.village_spellings.find_overlapping_iter(text) {
                let (index, j) = self.village_of_pattern[m.pattern()];
                let key = (m.start(), Reverse(m.len()), j);
                if wanted(&self.townships[index]) && best[index].is_none_or(|b| key < b) {
                    best[index] = Some(key);
                }
            }
            best.iter()
                .enumerate()
                .filter_map(|(index, b)| b.map(|(_, _, j)| (index, j)))
                .collect()
        };
        // Without a township, a spelling several townships share decides nothing.
        let (index, j) = hits.pop().filter(|_| hits.is_empty())?;
        let t = &self.townships[index];
        Some((t.name.as_str(), t.village_names[t.villages[j].1].as_str()))
    }
}

/// An automaton finding every occurrence of `patterns` (overlapping), pattern `i` being
/// the `i`th.
fn automaton<'a>(patterns: impl Iterator<Item = &'a String>) -> AhoCorasick {
    AhoCorasick::new(patterns).expect("a gazetteer's few hundred spellings fit an automaton")
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

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// The search as it was written before the automaton: every spelling scanned for.
    fn scanned_township(g: &Gazetteer, text: &str) -> Option<(usize, usize)> {
        g.address_names
            .iter()
            .filter_map(|(name, index)| text.find(name.as_str()).map(|at| (at, name, *index)))
            .min_by(|a, b| a.0.cmp(&b.0).then(b.1.len().cmp(&a.1.len())))
            .map(|(at, name, index)| (index, at + name.len()))
    }

    fn scanned_village<'g>(
        g: &'g Gazetteer,
        township: Option<&str>,
        text: &str,
    ) -> Option<(&'g str, &'g str)> {
        let mut hits = g
            .townships
            .iter()
            .filter(|t| township.is_none_or(|name| t.name == name))
            .filter_map(|t| {
                t.villages
                    .iter()
                    .filter(|(spelling, _)| text.contains(spelling.as_str()))
                    .min_by_key(|(spelling, _)| {
                        (text.find(spelling.as_str()), usize::MAX - spelling.len())
                    })
                    .map(|(_, v)| (t.name.as_str(), t.village_names[*v].as_str()))
            });
        let first = hits.next()?;
        hits.next().is_none().then_some(first)
    }

    fn township(name: &str, aliases: &[&str], villages: &[&str]) -> Township {
        Township {
            name: name.into(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            villages: villages.iter().map(|v| v.to_string()).collect(),
        }
    }

    #[test]
    fn one_pass_finds_what_scanning_every_spelling_finds() {
        // Shared village names, a stem inside another township's name, a spelling inside
        // another: the cases where earliest, longest and first listed decide.
        let g = Gazetteer::new(&[
            township(
                "城关镇",
                &["城关", "城关镇人民政府"],
                &["王庄村", "东关社区", "新村"],
            ),
            township("石桥乡", &[], &["李家村", "新村", "王庄"]),
            township("南关街道", &["南关街道办事处"], &["南关社区", "关庄村"]),
            township("新城镇", &["城镇"], &["李家庄村", "新村"]),
        ]);
        let pieces = [
            "XX县",
            "城关",
            "城关镇",
            "石桥乡",
            "南关",
            "南关街道",
            "新城镇",
            "城镇",
            "王庄",
            "王庄村",
            "新村",
            "李家",
            "李家村",
            "李家庄村",
            "东关",
            "关庄村",
            "社区",
            "3组",
            "12号",
            "人民政府",
        ];
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for _ in 0..20_000 {
            let text: String = (0..rng.gen_range(1..6))
                .map(|_| pieces[rng.gen_range(0..pieces.len())])
                .collect();
            assert_eq!(
                g.find_township(&text),
                scanned_township(&g, &text),
                "{text}"
            );
            for within in [None, Some("城关镇"), Some("石桥乡"), Some("新城镇")] {
                assert_eq!(
                    g.find_village(within, &text, false),
                    scanned_village(&g, within, &text),
                    "{text} in {within:?}"
                );
            }
        }
    }
}
