//! `loubao trace` through the binary: a listed person, an unlisted covered person and a
//! person held for 待复核, each asked by name, ID or clue id.

mod common;

use common::Inbox;

const SOURCES: &str = "[[sources]]\nkind = \"dibao\"\nglob = \"低保*\"\n\n\
    [[sources]]\nkind = \"hotline\"\nglob = \"热线*\"\n";

/// 张三 (medical, 45,000 out of pocket, on no roll), 王五 (medical, on 低保) and an ID-less
/// hotline caller 赵六 with a same-name 赵六 on 低保 in the same township.
fn county() -> Inbox {
    Inbox::new(
        SOURCES,
        &[
            (
                "低保.csv",
                "姓名,身份证号,保障状态,起始日期,终止日期,乡镇\n\
                 王五,410123197703031231,在保,2019-01-01,,城关镇\n\
                 赵六,410123196001011232,在保,2019-01-01,,城关镇\n",
            ),
            (
                "热线.csv",
                "来电人,来电时间,来电类别,诉求内容,办理状态,所属乡镇\n\
                 赵六,2021-04-01,求助,生活困难申请救助,已办结,城关镇\n\
                 孙八,2021-04-02,投诉,乡里工作人员态度差互相推诿,已办结,城关镇\n",
            ),
        ],
    )
}

#[test]
fn trace_tells_a_listed_persons_story() {
    let inbox = county();
    let (code, out) = inbox.loubao("run");
    assert!(code == 0 || code == 3, "{out}");
    let (code, out) = inbox.loubao_with("trace", &[]);
    assert_eq!(code, 2, "trace needs whom to trace: {out}");

    let (code, out) = trace(&inbox, "张三");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("== 张三 无有效身份证号 城关镇"), "{out}");
    assert!(out.contains("名单: 城关镇 的名单, 线索编号 LB"), "{out}");
    assert!(out.contains("医保.csv#2  医保局个人自付"), "{out}");
    assert!(out.contains("R01 触发: 医保:"), "{out}");
    assert!(out.contains("R03 未触发"), "{out}");
    assert!(out.contains("保障情况: 未见有效的名册记录"), "{out}");
    assert!(out.contains("首次发现 2021-06-30"), "{out}");
    assert!(out.contains("410123********1237"), "{out}");
    assert!(
        !out.contains("410123199001011237"),
        "full ID printed: {out}"
    );

    // The same person by clue id.
    let clue = out
        .split("线索编号 ")
        .nth(1)
        .map(|rest| rest[..12].to_string())
        .unwrap();
    let (code, by_clue) = trace(&inbox, &clue);
    assert_eq!(code, 0, "{by_clue}");
    assert!(by_clue.contains("== 张三 无有效身份证号"), "{by_clue}");
}

#[test]
fn trace_says_why_a_covered_person_is_not_listed() {
    let inbox = county();
    let (code, out) = trace(&inbox, "410123197703031231");
    assert_eq!(code, 0, "{out}");
    // Asked by an ID whose check digit is wrong: the records that carry it are found.
    assert!(
        out.contains("== 王五 无有效身份证号 城关镇 (合并记录 2 条)"),
        "{out}"
    );
    assert!(out.contains("410123********1231(校验码错误)"), "{out}");
    assert!(out.contains("不在名单: 没有规则触发"), "{out}");
    assert!(out.contains("模糊匹配, 已接受"), "{out}");
    assert!(
        out.contains("保障情况: 低保 在册有效 [低保.csv#2]"),
        "{out}"
    );
    assert!(out.contains("R01 未触发"), "{out}");
}

#[test]
fn trace_shows_a_person_held_for_review_and_the_namesake() {
    let inbox = county();
    let (code, out) = trace(&inbox, "赵六");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("共 2 人符合"), "{out}");
    assert!(
        out.contains("不在名单: 身份待复核 (见下方复核问题), 暂不判定"),
        "{out}"
    );
    assert!(out.contains("待复核 FH"), "{out}");
    assert!(out.contains("与 低保.csv#3 低保 是否同一人未定"), "{out}");
    // The roll person is covered and decided: the caller's doubt is not his.
    assert!(out.contains("== 赵六 410123********1232"), "{out}");
    assert!(out.contains("不在名单: 没有规则触发"), "{out}");

    // A complaint about the staff is the county's clue, not a township row.
    let (code, out) = trace(&inbox, "孙八");
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("不在乡镇名单: 其投诉列为服务问题线索"),
        "{out}"
    );
    assert!(out.contains("R07 触发: 服务问题线索 LB"), "{out}");

    let (code, out) = trace(&inbox, "钱七");
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("收件箱的"), "{out}");
    assert!(out.contains("没有此人"), "{out}");
}

fn trace(inbox: &Inbox, who: &str) -> (i32, String) {
    let pipeline = inbox.pipeline();
    common::loubao(&[
        std::ffi::OsStr::new("--quiet"),
        "trace".as_ref(),
        who.as_ref(),
        pipeline.as_os_str(),
    ])
}
