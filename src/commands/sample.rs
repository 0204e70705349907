//! `loubao sample`: write a synthetic county (department files, truth, pipeline file).

use crate::cli::SampleArgs;
use crate::ops::Exit;
use crate::sample::{self, SampleOptions};

pub fn sample(args: &SampleArgs) -> Exit {
    let opts = SampleOptions {
        persons: args.persons,
        seed: args.seed,
        noise: args.noise.into(),
    };
    match sample::generate(&args.dir, &opts) {
        Ok(summary) => {
            println!("{summary}");
            println!(
                "运行: loubao run {}",
                args.dir.join("pipeline.toml").display()
            );
            Exit::Complete
        }
        Err(e) => {
            eprintln!("生成示例数据失败: {e:#}");
            Exit::Internal
        }
    }
}
