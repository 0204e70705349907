//! Plain-language statements of each rule with the thresholds in force, for `loubao explain`.

use super::evidence::yuan;
use crate::config::RuleSettings;
use crate::model::RuleCode;

/// What a rule checks, in the words a clerk would use, with the pipeline's settings filled in.
pub fn explain(code: RuleCode, s: &RuleSettings) -> String {
    let words = |w: &[String]| w.join("、");
    let threshold = yuan((s.medical_threshold * 100.0).round() as i64);
    let body = match code {
        RuleCode::R01 => format!(
            "在七个部门来源(农业农村、医保、残联、信访、12349热线、人社、应急)任一符合排查条件, \
             但基准日不在低保、特困、孤儿、事实无人抚养儿童名册上, 且排查期内未获临时救助。\n\
             医保: 排查期内个人自付合计超过 {}; 残联: 重度残疾(任何类别 1 至 {} 级, 或智力/精神 1 至 {} 级) \
             且排查期内发证; 信访: 类别或内容含 {}; 热线: 诉求类型为 {}; 人社: 状态为 {} 或空白 (状态含 {} 的为已结束登记); 应急: 事件在排查期内; \
             农业农村: 所有监测对象。",
            threshold,
            s.severe_grade_any,
            s.severe_grade_mental,
            words(&s.assistance_keywords),
            words(&s.hotline_types),
            words(&s.unemployed_statuses),
            words(&s.ended_unemployment_statuses),
        ),
        RuleCode::R02 => format!(
            "重度残疾(任何类别 1 至 {} 级, 或智力/精神 1 至 {} 级, 不限发证日期)或重病(排查期内个人自付超过 {}), \
             属于低收入家庭(低收入家庭名册在册, 或为防返贫监测对象), 但未纳入低保或特困(未单人户施保)。",
            s.severe_grade_any, s.severe_grade_mental, threshold,
        ),
        RuleCode::R03 => format!(
            "登记失业(状态为 {} 或空白, 不含 {}), 未参加失业保险, 未纳入低保或特困, 排查期内未获临时救助(一次性临时救助金)。",
            words(&s.unemployed_statuses),
            words(&s.ended_unemployment_statuses),
        ),
        RuleCode::R04 => format!(
            "困境儿童名单中基准日未满 {} 周岁的儿童, 父母双方均为 {}, 但不在孤儿名册上。",
            s.child_age,
            words(&s.parent_absent_statuses),
        ),
        RuleCode::R05 => format!(
            "困境儿童名单中基准日未满 {} 周岁、不属孤儿的儿童: 父母双方均为 {}, 或一方为 {} 另一方为前者之一; \
             父母在残联有残疾记录且为任何类别 1 至 {} 级或智力/精神 1 至 {} 级的, 按重残计; \
             不在事实无人抚养儿童或孤儿名册上。",
            s.child_age,
            words(&s.parent_unable_statuses),
            words(&s.parent_absent_statuses),
            s.fuc_grade_any,
            s.fuc_grade_mental,
        ),
        RuleCode::R06 => format!(
            "符合排查条件的信访或热线求助, 办理状态不含 {} (前有 未/待/不 的不算, 空白也算未办结), 且登记日期距基准日超过 {} 天。\
             此项只看诉求记录本身, 即使人员匹配待复核也照常列出。",
            words(&s.finished_statuses),
            s.overdue_days,
        ),
        RuleCode::R07 => format!(
            "排查期内的信访或热线记录, 类别或工单类型为 {}, 或内容含 {} 的, 是对经办服务(不担当、不作为、\
             脸难看、事难办)的投诉, 每条记为一条服务问题线索。此类线索涉及乡镇经办人员, 不列入该乡镇的疑似名单, \
             而列入县级《服务问题线索》清单(投诉人身份证号脱敏), 记入线索台账并计入月报。",
            words(&s.conduct_types),
            words(&s.conduct_keywords),
        ),
    };
    format!("{} {}\n{body}", code.code(), code.label_zh())
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
