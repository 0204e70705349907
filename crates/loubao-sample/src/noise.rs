//! The defects of SPEC 4, applied to the cells a department writes: damaged and reformatted
//! IDs, traditional and homophone characters, spaces, minority-name dots, township aliases and
//! townships written only in the address. Every defect applied is named, so the truth can say
//! which rows were damaged and how.

use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::NoiseLevel;

/// Simplified → traditional for characters that occur in the name lists.
const TRADITIONAL: [(char, char); 44] = [
    ('张', '張'),
    ('陈', '陳'),
    ('刘', '劉'),
    ('杨', '楊'),
    ('黄', '黃'),
    ('赵', '趙'),
    ('吴', '吳'),
    ('郑', '鄭'),
    ('韩', '韓'),
    ('冯', '馮'),
    ('邓', '鄧'),
    ('叶', '葉'),
    ('苏', '蘇'),
    ('钟', '鍾'),
    ('谭', '譚'),
    ('陆', '陸'),
    ('贾', '賈'),
    ('韦', '韋'),
    ('邹', '鄒'),
    ('孙', '孫'),
    ('马', '馬'),
    ('罗', '羅'),
    ('许', '許'),
    ('谢', '謝'),
    ('伟', '偉'),
    ('强', '強'),
    ('军', '軍'),
    ('涛', '濤'),
    ('辉', '輝'),
    ('鹏', '鵬'),
    ('华', '華'),
    ('飞', '飛'),
    ('帅', '帥'),
    ('宁', '寧'),
    ('龙', '龍'),
    ('国', '國'),
    ('东', '東'),
    ('庆', '慶'),
    ('红', '紅'),
    ('丽', '麗'),
    ('兰', '蘭'),
    ('凤', '鳳'),
    ('洁', '潔'),
    ('颖', '穎'),
];

/// Characters clerks confuse because they sound the same.
const HOMOPHONES: [(char, char); 24] = [
    ('伟', '玮'),
    ('丽', '莉'),
    ('华', '化'),
    ('静', '晶'),
    ('敏', '民'),
    ('军', '君'),
    ('红', '宏'),
    ('芳', '方'),
    ('燕', '艳'),
    ('娟', '鹃'),
    ('玲', '铃'),
    ('英', '影'),
    ('勇', '永'),
    ('辉', '晖'),
    ('明', '鸣'),
    ('峰', '锋'),
    ('波', '博'),
    ('林', '琳'),
    ('涛', '韬'),
    ('鹏', '朋'),
    ('宇', '雨'),
    ('浩', '昊'),
    ('俊', '骏'),
    ('雪', '学'),
];

/// Middle-dot variants of minority names (and none at all).
const DOTS: [&str; 5] = ["•", ".", "．", "", "・"];

/// Per-cell probabilities for one noise level.
#[derive(Debug, Clone, Copy)]
pub struct Rates {
    /// Damage that destroys the exact key (check digit, transposition, Excel float, 000).
    pub id_damage: f64,
    /// Reformatting an ID (15 digits, fullwidth, apostrophe, spaces, lowercase x).
    pub id_format: f64,
    pub id_blank: f64,
    pub name_variant: f64,
    pub township_alias: f64,
    pub township_in_address: f64,
}

impl Rates {
    pub fn screening(level: NoiseLevel) -> Rates {
        let k = match level {
            NoiseLevel::None => 0.0,
            NoiseLevel::Default => 1.0,
            NoiseLevel::Heavy => 3.0,
        };
        Rates {
            id_damage: 0.04 * k,
            id_format: 0.07 * k,
            id_blank: 0.015 * k,
            name_variant: 0.04 * k,
            township_alias: 0.1 * k,
            township_in_address: 0.05 * k,
        }
    }

    /// Rolls are the bureau's own data: only harmless formatting, at a small rate.
    pub fn roll(level: NoiseLevel) -> Rates {
        let s = Rates::screening(level);
        Rates {
            id_damage: 0.0,
            id_format: s.id_format * 0.3,
            id_blank: 0.0,
            name_variant: 0.0,
            township_alias: s.township_alias * 0.3,
            township_in_address: 0.0,
        }
    }
}

/// Forced ID damage for the traps (a covered person whose ID is mistyped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdDamage {
    CheckDigit,
    Transposition,
}

pub struct Noiser {
    pub rng: ChaCha8Rng,
    pub rates: Rates,
}

/// A noisy cell and the names of the defects applied to it.
pub type Noisy = (String, Vec<&'static str>);

impl Noiser {
    pub fn id(&mut self, clean: &str, forced: Option<IdDamage>) -> Noisy {
        if let Some(damage) = forced {
            return match damage {
                IdDamage::CheckDigit => (wrong_check(clean), vec!["check_digit"]),
                IdDamage::Transposition => (transpose(&mut self.rng, clean), vec!["transposition"]),
            };
        }
        let r = self.rates;
        let x: f64 = self.rng.gen();
        if x < r.id_blank {
            return (String::new(), vec!["blank_id"]);
        }
        if x < r.id_blank + r.id_damage {
            return match self.rng.gen_range(0..4) {
                0 => (wrong_check(clean), vec!["check_digit"]),
                1 => (transpose(&mut self.rng, clean), vec!["transposition"]),
                2 => (excel_float(clean), vec!["excel_float"]),
                _ => (format!("{}000", &clean[..15]), vec!["trailing_000"]),
            };
        }
        if x < r.id_blank + r.id_damage + r.id_format {
            return match self.rng.gen_range(0..5) {
                // 15-digit IDs were only issued to people born in the 1900s: the century
                // they drop is always 19.
                0 if &clean[6..8] == "19" => {
                    (format!("{}{}", &clean[..6], &clean[8..17]), vec!["id15"])
                }
                1 => (fullwidth(clean), vec!["fullwidth"]),
                2 => (format!("'{clean}"), vec!["apostrophe"]),
                3 => (
                    format!("{} {} {}", &clean[..6], &clean[6..14], &clean[14..]),
                    vec!["id_spaces"],
                ),
                _ if clean.ends_with('X') => (clean.replace('X', "x"), vec!["lowercase_x"]),
                _ => (format!("'{clean}"), vec!["apostrophe"]),
            };
        }
        (clean.to_string(), Vec::new())
    }

    pub fn name(&mut self, clean: &str) -> Noisy {
        if clean.contains('·')
            && self
                .rng
                .gen_bool(0.5 * (self.rates.name_variant / 0.04).min(1.0))
        {
            let dot = DOTS.choose(&mut self.rng).expect("non-empty");
            return (clean.replace('·', dot), vec!["name_dot"]);
        }
        if !self.rng.gen_bool(self.rates.name_variant.min(1.0)) {
            return (clean.to_string(), Vec::new());
        }
        match self.rng.gen_range(0..3) {
            0 => {
                let t: String = clean
                    .chars()
                    .map(|c| TRADITIONAL.iter().find(|p| p.0 == c).map_or(c, |p| p.1))
                    .collect();
                if t != clean {
                    return (t, vec!["traditional"]);
                }
                (spaced(clean), vec!["name_space"])
            }
            1 => {
                // Only the given name: surnames are rarely misheard.
                let mut chars: Vec<char> = clean.chars().collect();
                for c in chars.iter_mut().skip(1) {
                    if let Some(p) = HOMOPHONES.iter().find(|p| p.0 == *c) {
                        *c = p.1;
                        return (chars.into_iter().collect(), vec!["homophone"]);
                    }
                }
                (spaced(clean), vec!["name_space"])
            }
            _ => (spaced(clean), vec!["name_space"]),
        }
    }

    /// The township cell: canonical, an alias, or (when the row has an address column)
    /// blank with the township only in the address.
    pub fn township(
        &mut self,
        name: &str,
        aliases: &[String],
        has_address: bool,
    ) -> (Option<String>, Vec<&'static str>) {
        let r = self.rates;
        let x: f64 = self.rng.gen();
        if x < r.township_in_address && has_address {
            (None, vec!["township_in_address"])
        } else if x < r.township_in_address + r.township_alias && !aliases.is_empty() {
            let alias = aliases.choose(&mut self.rng).expect("non-empty");
            (Some(alias.clone()), vec!["township_alias"])
        } else {
            (Some(name.to_string()), Vec::new())
        }
    }
}

fn wrong_check(clean: &str) -> String {
    let digits = "0123456789X";
    let current = clean.chars().last().unwrap_or('0');
    let pos = digits.find(current).unwrap_or(0);
    let wrong = digits.as_bytes()[(pos + 3) % 11] as char;
    format!("{}{wrong}", &clean[..17])
}

/// Swaps two adjacent, different digits in the sequence or birth part.
fn transpose(rng: &mut ChaCha8Rng, clean: &str) -> String {
    let mut b = clean.as_bytes().to_vec();
    for _ in 0..20 {
        let i = rng.gen_range(6..16);
        if b[i] != b[i + 1] {
            b.swap(i, i + 1);
            return String::from_utf8(b).expect("ascii");
        }
    }
    wrong_check(clean)
}

/// What Excel shows for an 18-digit number in a General cell: `4.10123199001E+17`.
fn excel_float(clean: &str) -> String {
    let digits = &clean[..12];
    let mantissa = digits[1..].trim_end_matches('0');
    if mantissa.is_empty() {
        format!("{}E+17", &digits[..1])
    } else {
        format!("{}.{mantissa}E+17", &digits[..1])
    }
}

fn fullwidth(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' | 'X' => char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap_or(c),
            c => c,
        })
        .collect()
}

fn spaced(name: &str) -> String {
    let mut chars: Vec<char> = name.chars().collect();
    if chars.len() >= 2 {
        chars.insert(1, ' ');
    }
    chars.into_iter().collect()
}

/// Other spellings county systems use for the generator's headers. They are the
/// generator's own and deliberately not the recognizer's synonyms: a generated county whose
/// headers only the synonym table knows would test nothing.
const RESPELLINGS: &[(&str, &[&str])] = &[
    (
        "身份证号",
        &["居民身份证件号码", "身份证号(18位)", "证件号码(身份证)"],
    ),
    ("身份证号码", &["居民身份证件号码", "有效证件号码"]),
    ("成员身份证号", &["家庭成员证件号码", "成员证件号"]),
    ("公民身份号码", &["公民身份证件号码", "居民身份证件号码"]),
    ("联系电话", &["手机", "联系手机", "本人电话"]),
    ("乡镇", &["所属镇(街道)", "镇(街道)", "乡镇名称"]),
    ("村(社区)", &["所在村(居)", "村居委会", "村(社区)名称"]),
    ("保障状态", &["当前保障状态", "救助状态标识", "在保状态"]),
    ("享受状态", &["当前享受状态", "享受状况"]),
    ("起始日期", &["批准时间", "享受开始日期", "纳入保障时间"]),
    ("起始时间", &["批准日期", "保障开始时间"]),
    ("终止日期", &["停保时间", "退出保障日期", "终止年月日"]),
    ("终止时间", &["停发时间", "退出日期"]),
    ("救助日期", &["审批日期", "救助发放时间", "资金发放日期"]),
    ("救助金额", &["发放金额(元)", "救助资金"]),
    ("办理状态", &["工单状态", "办结情况", "当前状态"]),
    ("来电时间", &["受理时间", "来电日期时间"]),
    ("工单类型", &["工单分类", "来电类别"]),
    ("信访日期", &["来访日期", "信访登记时间"]),
    ("信访类别", &["问题分类", "反映问题类别"]),
    ("人员状态", &["登记状态", "就失业状态"]),
    ("失业登记日期", &["失业登记时间", "登记失业时间"]),
    ("是否参加失业保险", &["是否参保", "失业保险参保情况"]),
    ("受灾日期", &["受灾时间", "灾害发生日期"]),
    ("发证日期", &["办证时间", "核发日期"]),
    ("残疾等级", &["残疾级别", "等级"]),
];

/// Respells some headers as another county's systems would, a quarter of them per file.
pub fn respell_headers(headers: &mut [&'static str], rng: &mut ChaCha8Rng) {
    for header in headers.iter_mut() {
        let Some((_, others)) = RESPELLINGS.iter().find(|(h, _)| h == header) else {
            continue;
        };
        if rng.gen_bool(0.25) {
            if let Some(other) = others.choose(rng) {
                *header = other;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::county::{check_char, is_valid_id};
    use super::*;
    use rand::SeedableRng;

    const ID: &str = "41012319900101123X";

    fn id() -> String {
        let first17 = &ID[..17];
        format!("{first17}{}", check_char(first17))
    }

    #[test]
    fn damage_breaks_the_check_and_excel_float_keeps_twelve_digits() {
        let clean = id();
        assert!(is_valid_id(&clean));
        assert!(!is_valid_id(&wrong_check(&clean)));
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let t = transpose(&mut rng, &clean);
        assert_ne!(t, clean);
        assert_eq!(t.len(), 18);
        assert_eq!(excel_float("410123199001011234"), "4.10123199001E+17");
        assert_eq!(fullwidth("41X"), "４１Ｘ");
    }

    #[test]
    fn no_noise_level_changes_nothing() {
        let mut n = Noiser {
            rng: ChaCha8Rng::seed_from_u64(1),
            rates: Rates::screening(NoiseLevel::None),
        };
        for _ in 0..200 {
            assert_eq!(n.id(&id(), None), (id(), vec![]));
            assert_eq!(n.name("张伟").0, "张伟");
            assert_eq!(n.name("热合曼·托乎提").0, "热合曼·托乎提");
            assert_eq!(
                n.township("城关镇", &["城关".into()], true).0.as_deref(),
                Some("城关镇")
            );
        }
    }
}
