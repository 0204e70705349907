//! Command-line interface (clap derive). The subcommands map one-to-one onto `commands`.
//! Help and usage errors are in Chinese, as every other message a clerk reads: clap's own
//! headings are replaced by a template, its errors are reworded by `usage_error_zh`.

use std::path::PathBuf;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{ArgAction, Parser, Subcommand};

pub const EXIT_CODES_HELP: &str = "\
退出码 / exit codes:
  0  完成 complete
  1  内部错误 internal error
  2  命令行用法错误 usage error
  3  部分完成: 有文件或行被拒收, 名单已写出 partial (rejects; lists written)
  4  流水线文件有误 configuration error
  5  没有可用的救助名册或排查来源 no usable roll or screening source
  6  另一次运行正在进行 lock held by another run";

/// Help in Chinese: clap's `Usage:`, `Commands:` and `Options:` headings replaced.
const HELP_TEMPLATE: &str = "\
{before-help}{about-with-newline}
用法: {usage}

{all-args}{after-help}";

#[derive(Debug, Parser)]
#[command(
    name = "loubao",
    version,
    about = "漏保漏救排查: 县级民政数据夜间比对",
    after_help = EXIT_CODES_HELP,
    help_template = HELP_TEMPLATE,
    subcommand_help_heading = "命令",
    next_help_heading = "选项",
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// 终端只显示错误 (only errors on the terminal).
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// 显示更多细节: -v 调试, -vv 跟踪 (more detail).
    #[arg(long, short, global = true, action = ArgAction::Count)]
    pub verbose: u8,
    /// 显示帮助 (print help).
    #[arg(long, short, global = true, action = ArgAction::Help)]
    help: Option<bool>,
    /// 显示版本 (print version).
    #[arg(long, short = 'V', action = ArgAction::Version)]
    version: Option<bool>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// 运行整条流水线, 写出各乡镇疑似名单 (run the pipeline).
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项")]
    Run {
        /// 流水线文件, 如 pipelines/sample.toml (pipeline file).
        pipeline: PathBuf,
    },
    /// 检查收件箱中每个文件的识别结果, 不写名单 (show what ingest understood).
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项")]
    Check {
        /// 流水线文件 (pipeline file).
        pipeline: PathBuf,
    },
    /// 导入乡镇返回的核查结果 (import returned township workbooks into the clue ledger).
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项")]
    Review {
        /// 流水线文件 (pipeline file).
        pipeline: PathBuf,
        /// 退回的 .xlsx/.csv 文件或其所在文件夹 (returned files or folders).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// 由线索台账生成月报或三项清单 (reports from the clue ledger).
    #[command(
        subcommand,
        help_template = HELP_TEMPLATE,
        subcommand_help_heading = "报告"
    )]
    Report(ReportCommand),
    /// 说明筛查规则及当前阈值 (explain the rules with the thresholds in force).
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项")]
    Explain {
        /// 规则代码, 如 R05; 省略时说明全部规则 (rule code).
        code: Option<String>,
        /// 显示此流水线文件中的阈值, 省略时显示默认值 (thresholds of this pipeline).
        #[arg(long)]
        pipeline: Option<PathBuf>,
    },
    /// 查询一个人的完整情况: 来源记录、匹配、规则、台账 (one person's whole story).
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项")]
    Trace {
        /// 身份证号、姓名或线索编号 (ID, name or clue id).
        who: String,
        /// 流水线文件: 读其收件箱和线索台账 (pipeline file).
        pipeline: PathBuf,
    },
    /// 生成带真值的合成县数据 (synthetic county with ground truth).
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项")]
    Sample(SampleArgs),
    /// 用真值评估一次运行的准确率 (score a run against the sample truth).
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项")]
    Eval {
        /// 要评估的运行所用的流水线文件, 如 /tmp/s/pipeline.toml (pipeline file).
        pipeline: PathBuf,
        /// `loubao sample` 写出的 truth 文件夹 (truth folder).
        truth: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// 月报: 各乡镇本月新增、核查、纳入保障、临时救助、不符合条件、未核查 (零报送).
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项")]
    Monthly {
        /// 流水线文件 (pipeline file).
        pipeline: PathBuf,
        /// 报告月份, 写作 YYYY-MM (month).
        #[arg(long)]
        month: String,
    },
    /// 总结三项清单: 问题(整改)清单、成果清单、制度清单模板.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项")]
    Final {
        /// 流水线文件 (pipeline file).
        pipeline: PathBuf,
    },
    /// 县重点抽查: 按乡镇随机抽取已关闭的线索, 写出 县抽查清单.xlsx.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项")]
    Spotcheck {
        /// 流水线文件 (pipeline file).
        pipeline: PathBuf,
        /// 每个乡镇抽取已关闭线索的比例, 写作 10% 或 0.1, 至少一条 (share).
        #[arg(long, default_value = "10%")]
        share: String,
        /// 随机种子: 同一种子抽到同样的线索 (random seed).
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Debug, clap::Args)]
pub struct SampleArgs {
    /// 写出 inbox/、truth/ 和 pipeline.toml 的文件夹 (output folder).
    pub dir: PathBuf,
    /// 居民人数 (residents).
    #[arg(long, default_value_t = 3000)]
    pub persons: usize,
    /// 随机种子: 同一种子写出逐字节相同的文件 (random seed).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// 排查数据的损坏程度 (how damaged the extracts are).
    #[arg(long, value_enum, default_value_t = Noise::Default)]
    pub noise: Noise,
}

/// `--noise`: how damaged the screening extracts are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Noise {
    /// 干净: 身份证号全部有效, 姓名与登记一致 (clean).
    None,
    /// 与县里实际收到的数据相当 (as a county receives).
    Default,
    /// 三倍于默认的损坏率 (three times the default).
    Heavy,
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
