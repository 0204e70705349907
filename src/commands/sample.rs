//! `loubao sample`: write a synthetic county (department files, truth, pipeline file).

use super::Error;
use crate::cli::SampleArgs;
use crate::ops::Exit;
use crate::sample::{self, SampleOptions};

pub fn sample(args: &SampleArgs) -> Result<Exit, Error> {
    let opts = SampleOptions {
        persons: args.persons,
        seed: args.seed,
        noise: args.noise.into(),
        shuffle_rows: false,
    };
    let summary = sample::generate(&args.dir, &opts).map_err(Error::Sample)?;
    println!("{summary}");
    println!(
        "{}",
        crate::tr!(
            "运行: loubao run {}",
            "to run it: loubao run {}",
            args.dir.join("pipeline.toml").display()
        )
    );
    Ok(Exit::Complete)
}
