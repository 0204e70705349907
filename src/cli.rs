//! Command-line interface (clap derive). The subcommands map one-to-one onto `commands`.
//! Help and usage errors are in the language of every other message (`lang`): each help
//! text is written in both, and the language is chosen before the command is built. In
//! Chinese, clap's own headings are replaced by a template and its errors are reworded by
//! `usage_error_zh`; in English, clap's own words are kept.

use std::path::PathBuf;

use clap::builder::{PossibleValue, PossibleValuesParser};
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{ArgAction, Parser, Subcommand};

use crate::lang::{self, pick};

/// What each exit code means, shown under `--help`.
pub fn exit_codes_help() -> &'static str {
    pick(
        "\
退出码:
  0  完成
  1  内部错误
  2  命令行用法错误
  3  部分完成: 有文件或行被拒收, 名单已写出
  4  流水线文件有误
  5  没有可用的救助名册或排查来源
  6  另一次运行正在进行",
        "\
Exit codes:
  0  complete
  1  internal error
  2  usage error
  3  partial: files or rows rejected, lists written
  4  configuration error (the pipeline file)
  5  no usable roll or screening source
  6  lock held by another run",
    )
}

/// The help layout: in Chinese, clap's `Usage:`, `Commands:` and `Options:` headings
/// replaced; in English, clap's own.
fn help_template() -> &'static str {
    pick(
        "\
{before-help}{about-with-newline}
用法: {usage}

{all-args}{after-help}",
        "\
{before-help}{about-with-newline}
{usage-heading} {usage}

{all-args}{after-help}",
    )
}

fn options() -> &'static str {
    pick("选项", "Options")
}

fn pipeline_file() -> &'static str {
    pick("流水线文件", "Pipeline file")
}

#[derive(Debug, Parser)]
#[command(
    name = "loubao",
    version,
    about = pick("漏保漏救排查: 县级民政数据夜间比对", "Nightly screening of a county's data for people social assistance missed"),
    after_help = exit_codes_help(),
    help_template = help_template(),
    subcommand_help_heading = pick("命令", "Commands"),
    next_help_heading = options(),
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[arg(long, short, global = true, help = pick("终端只显示错误", "Only errors on the terminal"))]
    pub quiet: bool,
    #[arg(
        long,
        short,
        global = true,
        action = ArgAction::Count,
        help = pick("显示更多细节: -v 调试, -vv 跟踪", "More detail: -v debug, -vv trace")
    )]
    pub verbose: u8,
    /// Read by `lang::init` before parsing; declared so that clap accepts and checks it.
    #[arg(
        long,
        global = true,
        default_value = "zh",
        value_parser = PossibleValuesParser::new(lang::NAMES),
        hide_default_value = true,
        hide_possible_values = true,
        help = pick("消息语言: zh 中文, en 英文 (也可设 LOUBAO_LANG)", "Language of messages: zh Chinese, en English (or LOUBAO_LANG)")
    )]
    lang: String,
    #[arg(long, short, global = true, action = ArgAction::Help, help = pick("显示帮助", "Print help"))]
    help: Option<bool>,
    #[arg(long, short = 'V', action = ArgAction::Version, help = pick("显示版本", "Print version"))]
    version: Option<bool>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    #[command(
        about = pick("运行整条流水线, 写出各乡镇疑似名单", "Run the pipeline: ingest, link, screen, write the township lists"),
        help_template = help_template(),
        next_help_heading = options()
    )]
    Run {
        #[arg(help = pick("流水线文件, 如 pipelines/sample.toml", "Pipeline file, e.g. pipelines/sample.toml"))]
        pipeline: PathBuf,
    },
    #[command(
        about = pick("检查收件箱中每个文件的识别结果, 不写名单", "Show what ingest understood of each inbox file; writes no lists"),
        help_template = help_template(),
        next_help_heading = options()
    )]
    Check {
        #[arg(help = pipeline_file())]
        pipeline: PathBuf,
    },
    #[command(
        about = pick("导入乡镇返回的核查结果", "Import returned township workbooks into the clue ledger"),
        help_template = help_template(),
        next_help_heading = options()
    )]
    Review {
        #[arg(help = pipeline_file())]
        pipeline: PathBuf,
        #[arg(
            required = true,
            help = pick("退回的 .xlsx/.csv 文件或其所在文件夹", "Returned .xlsx/.csv files or their folders")
        )]
        files: Vec<PathBuf>,
    },
    #[command(
        subcommand,
        about = pick("由线索台账生成月报或三项清单", "Reports from the clue ledger"),
        help_template = help_template(),
        subcommand_help_heading = pick("报告", "Reports")
    )]
    Report(ReportCommand),
    #[command(
        about = pick("说明筛查规则及当前阈值", "Explain the rules with the thresholds in force"),
        help_template = help_template(),
        next_help_heading = options()
    )]
    Explain {
        #[arg(help = pick("规则代码, 如 R05; 省略时说明全部规则", "Rule code, e.g. R05; all rules when omitted"))]
        code: Option<String>,
        #[arg(
            long,
            help = pick("显示此流水线文件中的阈值, 省略时显示默认值", "Show this pipeline file's thresholds; the defaults when omitted")
        )]
        pipeline: Option<PathBuf>,
    },
    #[command(
        about = pick("查询一个人的完整情况: 来源记录、匹配、规则、台账", "One person's whole story: source records, links, rules, ledger"),
        help_template = help_template(),
        next_help_heading = options()
    )]
    Trace {
        #[arg(help = pick("身份证号、姓名或线索编号", "Resident ID, name or clue id"))]
        who: String,
        #[arg(help = pick("流水线文件: 读其收件箱和线索台账", "Pipeline file: its inbox and clue ledger are read"))]
        pipeline: PathBuf,
    },
    #[command(
        about = pick("生成带真值的合成县数据", "Write a synthetic county with ground truth"),
        help_template = help_template(),
        next_help_heading = options()
    )]
    Sample(SampleArgs),
    #[command(
        about = pick("用真值评估一次运行的准确率", "Score the newest run against the sample truth"),
        help_template = help_template(),
        next_help_heading = options()
    )]
    Eval {
        #[arg(help = pick("要评估的运行所用的流水线文件, 如 /tmp/s/pipeline.toml", "Pipeline file of the run to score, e.g. /tmp/s/pipeline.toml"))]
        pipeline: PathBuf,
        #[arg(help = pick("`loubao sample` 写出的 truth 文件夹", "The truth folder `loubao sample` wrote"))]
        truth: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    #[command(
        about = pick(
            "月报: 各乡镇本月新增、核查、纳入保障、临时救助、不符合条件、未核查 (零报送)",
            "Monthly report: per township, new, reviewed, enrolled, aided, ineligible, unreviewed (zeros included)"
        ),
        help_template = help_template(),
        next_help_heading = options()
    )]
    Monthly {
        #[arg(help = pipeline_file())]
        pipeline: PathBuf,
        #[arg(long, help = pick("报告月份, 写作 YYYY-MM", "Month of the report, as YYYY-MM"))]
        month: String,
    },
    #[command(
        about = pick(
            "总结三项清单: 问题(整改)清单、成果清单、制度清单模板",
            "The three closing lists: problems (rectification), results, and the rules template"
        ),
        help_template = help_template(),
        next_help_heading = options()
    )]
    Final {
        #[arg(help = pipeline_file())]
        pipeline: PathBuf,
    },
    #[command(
        about = pick(
            "县重点抽查: 按乡镇随机抽取已关闭的线索, 写出 县抽查清单.xlsx",
            "County spot check: a random sample per township of closed clues, written to 县抽查清单.xlsx"
        ),
        help_template = help_template(),
        next_help_heading = options()
    )]
    Spotcheck {
        #[arg(help = pipeline_file())]
        pipeline: PathBuf,
        #[arg(
            long,
            default_value = "10%",
            help = pick(
                "每个乡镇抽取已关闭线索的比例, 写作 10% 或 0.1, 至少一条",
                "Share of each township's closed clues to draw, as 10% or 0.1; at least one"
            )
        )]
        share: String,
        #[arg(
            long,
            default_value_t = 1,
            help = pick("随机种子: 同一种子抽到同样的线索", "Random seed: the same seed draws the same clues")
        )]
        seed: u64,
    },
}

#[derive(Debug, clap::Args)]
pub struct SampleArgs {
    #[arg(help = pick("写出 inbox/、truth/ 和 pipeline.toml 的文件夹", "Folder to write inbox/, truth/ and pipeline.toml into"))]
    pub dir: PathBuf,
    #[arg(long, default_value_t = 3000, help = pick("居民人数", "Number of residents"))]
    pub persons: usize,
    #[arg(
        long,
        default_value_t = 1,
        help = pick("随机种子: 同一种子写出逐字节相同的文件", "Random seed: the same seed writes byte-identical files")
    )]
    pub seed: u64,
    #[arg(
        long,
        value_enum,
        default_value_t = Noise::Default,
        help = pick("排查数据的损坏程度", "How damaged the screening extracts are")
    )]
    pub noise: Noise,
}

/// `--noise`: how damaged the screening extracts are. `ValueEnum` by hand so that each
/// value's help is in the language of the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Noise {
    None,
    Default,
    Heavy,
}

impl clap::ValueEnum for Noise {
    fn value_variants<'a>() -> &'a [Self] {
        &[Noise::None, Noise::Default, Noise::Heavy]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let (name, help) = match self {
            Noise::None => (
                "none",
                pick(
                    "干净: 身份证号全部有效, 姓名与登记一致",
                    "Clean: every resident ID valid, names as registered",
                ),
            ),
            Noise::Default => (
                "default",
                pick("与县里实际收到的数据相当", "As a county receives them"),
            ),
            Noise::Heavy => (
                "heavy",
                pick("三倍于默认的损坏率", "Three times the default damage"),
            ),
        };
        Some(PossibleValue::new(name).help(help))
    }
}

impl From<Noise> for crate::sample::NoiseLevel {
    fn from(noise: Noise) -> Self {
        match noise {
            Noise::None => Self::None,
            Noise::Default => Self::Default,
            Noise::Heavy => Self::Heavy,
        }
    }
}

/// A usage error in the clerk's words: what was wrong with the command line, and where to
/// look. clap's own text is English; only its facts (argument names, values) are kept.
pub fn usage_error_zh(error: &clap::Error) -> String {
    let text = |kind: ContextKind| match error.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(list)) => list.join(", "),
        Some(ContextValue::StyledStr(s)) => s.to_string(),
        Some(ContextValue::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let suggested = |kind: ContextKind| {
        let s = text(kind);
        if s.is_empty() {
            String::new()
        } else {
            format!("; 是否想用 {s}?")
        }
    };
    let what = match error.kind() {
        ErrorKind::MissingRequiredArgument => {
            format!("缺少必需的参数: {}", text(ContextKind::InvalidArg))
        }
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            "缺少命令 (run、check、review、report、explain、trace、sample、eval)".to_string()
        }
        ErrorKind::InvalidSubcommand => format!(
            "未知的命令 {}{}",
            text(ContextKind::InvalidSubcommand),
            suggested(ContextKind::SuggestedSubcommand)
        ),
        ErrorKind::UnknownArgument => format!(
            "未知的参数或选项 {}{}",
            text(ContextKind::InvalidArg),
            suggested(ContextKind::SuggestedArg)
        ),
        ErrorKind::InvalidValue => {
            let valid = text(ContextKind::ValidValue);
            let choices = if valid.is_empty() {
                String::new()
            } else {
                format!("; 可选: {valid}")
            };
            format!(
                "{} 的值「{}」无效{choices}",
                text(ContextKind::InvalidArg),
                text(ContextKind::InvalidValue)
            )
        }
        ErrorKind::ValueValidation => format!(
            "{} 的值「{}」无效 (应为数字或规定的格式)",
            text(ContextKind::InvalidArg),
            text(ContextKind::InvalidValue)
        ),
        ErrorKind::ArgumentConflict => format!(
            "参数 {} 与 {} 不能同时使用",
            text(ContextKind::InvalidArg),
            text(ContextKind::PriorArg)
        ),
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues => {
            format!("多余的参数 {}", text(ContextKind::InvalidValue))
        }
        _ => "命令行有误".to_string(),
    };
    format!("错误: {what}\n用 loubao --help 或 loubao <命令> --help 查看用法")
}
