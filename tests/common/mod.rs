//! Small handmade inboxes driven through the real binary, shared by the integration tests.

#![allow(dead_code)]

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const BIN: &str = env!("CARGO_BIN_EXE_loubao");

/// A real client program a test drives (LibreOffice, Chromium), the first of `paths` or
/// of `names` on PATH. Missing, the test is skipped on a developer's machine but fails where
/// `LOUBAO_CLIENTS=required` (`.ci/run` sets it): a test must never pass because a tool
/// is absent.
pub fn client(what: &str, paths: &[&str], names: &[&str]) -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    let found = paths
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .or_else(|| {
            names
                .iter()
                .flat_map(|n| on_path.iter().map(move |dir| dir.join(n)))
                .find(|p| p.is_file())
        });
    if found.is_none() {
        assert_ne!(
            std::env::var("LOUBAO_CLIENTS").as_deref(),
            Ok("required"),
            "{what} is not installed, and LOUBAO_CLIENTS=required: install it (see .ci/run)"
        );
        println!("skipped: {what} not installed (LOUBAO_CLIENTS=required makes this a failure)");
    }
    found
}

/// LibreOffice, headless.
pub fn libreoffice() -> Option<PathBuf> {
    client(
        "LibreOffice (soffice, Debian package libreoffice-calc-nogui)",
        &["/usr/bin/soffice", "/usr/bin/libreoffice"],
        &["soffice", "libreoffice"],
    )
}

/// `soffice --headless --convert-to <to> --outdir <dir> <file>` with a profile of its own
/// (two conversions at once would otherwise fight over the user's), returning the output.
pub fn libreoffice_convert(
    soffice: &Path,
    file: &Path,
    to: &str,
    infilter: Option<&str>,
    dir: &Path,
) -> PathBuf {
    fs::create_dir_all(dir).unwrap();
    let profile = dir.join("lo-profile");
    let mut command = Command::new(soffice);
    command.arg(format!(
        "-env:UserInstallation=file://{}",
        profile.display()
    ));
    command.arg("--headless");
    if let Some(filter) = infilter {
        command.arg(format!("--infilter={filter}"));
    }
    let out = command
        .args(["--convert-to", to, "--outdir"])
        .arg(dir)
        .arg(file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let ext = to.split(':').next().unwrap();
    dir.join(file.with_extension(ext).file_name().unwrap())
}

pub const HEAD: &str = r#"
county = "测试县"
as_of = 2021-06-30
since = 2020-01-01
inbox = "inbox"
outbox = "out"

[[townships]]
name = "城关镇"
aliases = ["城关"]
villages = ["东关社区", "王庄村"]
"#;

/// A medical file every inbox has, so that a run has a screening source.
pub const MEDICAL: &str = "姓名,身份证号,结算日期,个人自付,乡镇\n\
    张三,410123199001011237,2021-03-05,45000,城关镇\n\
    李四,410123198502021234,2021-04-05,300,城关镇\n\
    王五,410123197703031231,2021-05-05,52000,城关镇\n";

/// `loubao <args…>`: exit code and everything it printed, stdout then stderr.
pub fn loubao<A: AsRef<OsStr>>(args: &[A]) -> (i32, String) {
    let out: Output = Command::new(BIN).args(args).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap(), text)
}

pub struct Inbox {
    pub dir: tempfile::TempDir,
}

impl Inbox {
    pub fn new(sources: &str, files: &[(&str, &str)]) -> Inbox {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("inbox")).unwrap();
        fs::write(
            dir.path().join("pipeline.toml"),
            format!("{HEAD}\n[[sources]]\nkind = \"medical\"\nglob = \"医保*\"\n{sources}"),
        )
        .unwrap();
        fs::write(dir.path().join("inbox/医保.csv"), MEDICAL).unwrap();
        for (name, text) in files {
            fs::write(dir.path().join("inbox").join(name), text).unwrap();
        }
        Inbox { dir }
    }

    pub fn pipeline(&self) -> PathBuf {
        self.dir.path().join("pipeline.toml")
    }

    pub fn loubao(&self, command: &str) -> (i32, String) {
        self.loubao_with(command, &[])
    }

    /// `loubao <command> <pipeline> <paths…>`: exit code and everything it printed.
    pub fn loubao_with(&self, command: &str, paths: &[&Path]) -> (i32, String) {
        let pipeline = self.pipeline();
        let mut args: Vec<&OsStr> = vec![OsStr::new("--quiet"), OsStr::new(command)];
        args.push(pipeline.as_os_str());
        args.extend(paths.iter().map(|p| p.as_os_str()));
        loubao(&args)
    }

    pub fn run_folder(&self) -> PathBuf {
        let mut runs: Vec<_> = fs::read_dir(self.dir.path().join("out"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .collect();
        runs.sort();
        runs.pop().unwrap()
    }
}

impl Inbox {
    /// Replaces the pipeline file.
    pub fn set_pipeline(&self, text: &str) {
        fs::write(self.pipeline(), text).unwrap();
    }

    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) {
        fs::write(self.dir.path().join("inbox").join(name), bytes).unwrap();
    }
}
