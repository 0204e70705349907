//! Plain-language statements of each rule with the thresholds in force, for `loubao explain`.

use super::evidence::yuan;
use crate::config::RuleSettings;
use crate::lang::{pick, Lang};
use crate::model::RuleCode;
use crate::tr;

/// What a rule checks, in the words a clerk would use, with the pipeline's settings filled in.
pub fn explain(code: RuleCode, s: &RuleSettings) -> String {
    let words = |w: &[String]| w.join(pick("、", ", "));
    let cents = (s.medical_threshold * 100.0).round() as i64;
    // `yuan` words 依据, which stays Chinese; English says the same amount in its own words.
    let threshold = match crate::lang::current() {
        Lang::Zh => yuan(cents),
        Lang::En => format!("{} yuan", yuan(cents).trim_end_matches(" 元")),
    };
    let body = match code {
        RuleCode::R01 => tr!(
            "在七个部门来源(农业农村、医保、残联、信访、12349热线、人社、应急)任一符合排查条件, \
             但基准日不在低保、特困、孤儿、事实无人抚养儿童名册上, 且排查期内未获临时救助。\n\
             医保: 排查期内个人自付合计超过 {}; 残联: 重度残疾(任何类别 1 至 {} 级, 或智力/精神 1 至 {} 级) \
             且排查期内发证; 信访: 类别或内容含 {}; 热线: 诉求类型为 {}; 人社: 状态为 {} 或空白 (状态含 {} 的为已结束登记); 应急: 事件在排查期内; \
             农业农村: 所有监测对象。",
            "Qualifies in any of the seven department sources (agriculture, medical insurance, disabled persons' federation, petitions, \
             12349 hotline, human resources, emergency management) but is not on the dibao, tekun, orphan or de facto unsupported \
             children rolls on the as-of day, and was not given temporary assistance in the screening period.\n\
             Medical: out-of-pocket costs in the period above {}; disability: severe (grade 1 to {} of any category, or 1 to {} \
             intellectual/mental) with the certificate issued in the period; petitions: category or content holds {}; hotline: \
             request type {}; human resources: status {} or blank (a status holding {} ends the registration); emergencies: the \
             event in the period; agriculture: every monitored person.",
            threshold,
            s.severe_grade_any,
            s.severe_grade_mental,
            words(&s.assistance_keywords),
            words(&s.hotline_types),
            words(&s.unemployed_statuses),
            words(&s.ended_unemployment_statuses),
        ),
        RuleCode::R02 => tr!(
            "重度残疾(任何类别 1 至 {} 级, 或智力/精神 1 至 {} 级, 不限发证日期)或重病(排查期内个人自付超过 {}), \
             属于低收入家庭(低收入家庭名册在册, 或为防返贫监测对象), 但未纳入低保或特困(未单人户施保)。",
            "Severely disabled (grade 1 to {} of any category, or 1 to {} intellectual/mental, whatever the issue date) or \
             severely ill (out of pocket in the period above {}), in a low-income household (on the low-income roll, or monitored \
             against relapse into poverty), but not on dibao or tekun (not covered as a household of one).",
            s.severe_grade_any, s.severe_grade_mental, threshold,
        ),
        RuleCode::R03 => tr!(
            "登记失业(状态为 {} 或空白, 不含 {}), 未参加失业保险, 未纳入低保或特困, 排查期内未获临时救助(一次性临时救助金)。",
            "Registered unemployed (status {} or blank, not {}), not insured against unemployment, not on dibao or tekun, and \
             not given temporary assistance (the one-off grant) in the screening period.",
            words(&s.unemployed_statuses),
            words(&s.ended_unemployment_statuses),
        ),
        RuleCode::R04 => tr!(
            "困境儿童名单中基准日未满 {} 周岁的儿童, 父母双方均为 {}, 但不在孤儿名册上。",
            "A child on the children-at-risk list, under {} on the as-of day, whose parents are both {}, but who is not on \
             the orphan roll.",
            s.child_age,
            words(&s.parent_absent_statuses),
        ),
        RuleCode::R05 => tr!(
            "困境儿童名单中基准日未满 {} 周岁、不属孤儿的儿童: 父母双方均为 {}, 或一方为 {} 另一方为前者之一; \
             父母在残联有残疾记录且为任何类别 1 至 {} 级或智力/精神 1 至 {} 级的, 按重残计; \
             不在事实无人抚养儿童或孤儿名册上。",
            "A child on the children-at-risk list, under {} on the as-of day and not an orphan, whose parents are both {}, or \
             one of them {} and the other one of the former; a parent with a disability record of grade 1 to {} of any category \
             or 1 to {} intellectual/mental counts as severely disabled; not on the de facto unsupported children or orphan rolls.",
            s.child_age,
            words(&s.parent_unable_statuses),
            words(&s.parent_absent_statuses),
            s.fuc_grade_any,
            s.fuc_grade_mental,
        ),
        RuleCode::R06 => tr!(
            "符合排查条件的信访或热线求助, 办理状态不含 {} (前有 未/待/不 的不算, 空白也算未办结), 且登记日期距基准日超过 {} 天。\
             此项只看诉求记录本身, 即使人员匹配待复核也照常列出。",
            "A qualifying petition or hotline request for help whose handling status holds none of {} (preceded by 未/待/不 it \
             does not count, and blank counts as open), registered more than {} days before the as-of day. Only the request \
             itself is read: it is listed even when the person's identity is waiting for 待复核.",
            words(&s.finished_statuses),
            s.overdue_days,
        ),
        RuleCode::R07 => tr!(
            "排查期内的信访或热线记录, 类别或工单类型为 {}, 或内容含 {} 的, 是对经办服务(不担当、不作为、\
             脸难看、事难办)的投诉, 每条记为一条服务问题线索。此类线索涉及乡镇经办人员, 不列入该乡镇的疑似名单, \
             而列入县级《服务问题线索》清单(投诉人身份证号脱敏), 记入线索台账并计入月报。",
            "A petition or hotline record in the screening period whose category or ticket type is {}, or whose content holds \
             {}, is a complaint about how assistance was handled; each is one service clue. These clues concern the township's \
             staff: they are not on the township's suspect list but on the county list 服务问题线索 (the complainant's ID \
             masked), recorded in the clue ledger and counted in the monthly report.",
            words(&s.conduct_types),
            words(&s.conduct_keywords),
        ),
    };
    let label = pick(code.label_zh(), code.label_en());
    format!("{} {label}\n{body}", code.code())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explanations_carry_the_settings_in_force() {
        let mut s = RuleSettings::default();
        assert!(explain(RuleCode::R01, &s).contains("40,000.00 元"));
        s.overdue_days = 45;
        let r06 = explain(RuleCode::R06, &s);
        assert!(r06.starts_with("R06 救助诉求超期未办结"), "{r06}");
        assert!(r06.contains("超过 45 天"), "{r06}");
        s.conduct_keywords = vec!["踢皮球".into()];
        let r07 = explain(RuleCode::R07, &s);
        assert!(r07.starts_with("R07 服务问题线索"), "{r07}");
        assert!(
            r07.contains("踢皮球") && r07.contains("不列入该乡镇"),
            "{r07}"
        );
    }
}
