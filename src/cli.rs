//! Command-line interface (clap derive). The subcommands map one-to-one onto `commands`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

pub const EXIT_CODES_HELP: &str = "\
退出码 / exit codes:
  0  完成 complete
  1  内部错误 internal error
  2  命令行用法错误 usage error
  3  部分完成: 有文件或行被拒收, 名单已写出 partial (rejects; lists written)
  4  流水线文件有误 configuration error
  5  没有可用的救助名册或排查来源 no usable roll or screening source
  6  另一次运行正在进行 lock held by another run";

#[derive(Debug, Parser)]
#[command(name = "loubao", version, about = "漏保漏救排查: 县级民政数据夜间比对", after_help = EXIT_CODES_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Only errors on the terminal.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// More detail (-v debug, -vv trace).
    #[arg(long, short, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// 运行整条流水线, 写出各乡镇疑似名单 (run the pipeline).
    Run {
        /// Pipeline file, e.g. pipelines/sample.toml.
        pipeline: PathBuf,
    },
    /// 检查收件箱中每个文件的识别结果, 不写名单 (show what ingest understood).
    Check { pipeline: PathBuf },
    /// 导入乡镇返回的核查结果 (import returned township workbooks into the clue ledger).
    Review {
        pipeline: PathBuf,
        /// Returned .xlsx/.csv files, or folders holding them.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// 由线索台账生成月报或三项清单 (reports from the clue ledger).
    #[command(subcommand)]
    Report(ReportCommand),
    /// 说明筛查规则及当前阈值 (explain the rules with the thresholds in force).
    Explain {
        /// Rule code, e.g. R05; all rules when omitted.
        code: Option<String>,
        /// Pipeline file whose thresholds to show (defaults otherwise).
        #[arg(long)]
        pipeline: Option<PathBuf>,
    },
    /// 生成带真值的合成县数据 (synthetic county with ground truth).
    Sample(SampleArgs),
    /// 用真值评估一次运行的准确率 (score a run against the sample truth).
    Eval {
        /// Pipeline file of the run to score, e.g. /tmp/s/pipeline.toml.
        pipeline: PathBuf,
        /// The `truth` folder written by `loubao sample`.
        truth: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// 月报: 各乡镇本月新增、核查、纳入保障、临时救助、不符合条件、未核查 (零报送).
    Monthly {
        pipeline: PathBuf,
        /// Month reported on, YYYY-MM.
        #[arg(long)]
        month: String,
    },
    /// 总结三项清单: 问题(整改)清单、成果清单、制度清单模板.
    Final { pipeline: PathBuf },
    /// 县重点抽查: 按乡镇随机抽取已关闭的线索, 写出 县抽查清单.xlsx.
    Spotcheck {
        pipeline: PathBuf,
        /// Share of each township's closed clues, `10%` or `0.1` (at least one clue).
        #[arg(long, default_value = "10%")]
        share: String,
        /// Random seed: the same seed draws the same clues.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Debug, clap::Args)]
pub struct SampleArgs {
    /// Folder to write `inbox/`, `truth/` and `pipeline.toml` into.
    pub dir: PathBuf,
    /// Number of residents.
    #[arg(long, default_value_t = 3000)]
    pub persons: usize,
    /// Random seed: the same seed writes byte-identical files.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// How damaged the screening extracts are.
    #[arg(long, value_enum, default_value_t = Noise::Default)]
    pub noise: Noise,
}

/// `--noise`: how damaged the screening extracts are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Noise {
    /// Clean extracts: every ID valid, every name as registered.
    None,
    /// About what a county really receives.
    Default,
    /// Three times the default rates.
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
