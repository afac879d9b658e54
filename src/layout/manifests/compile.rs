//! `--compile GLOB=COMMAND`: turning files that are not YAML or JSON (`*.py`,
//! `*.jar`, ...) into resources by running a host-configured command on a
//! private copy of each file and reading JSON from its stdout.
//!
//! Output is cached by the file's blob id, name and command, so a file that
//! did not change is never compiled twice; deleting the cache only costs a
//! recompile.

use crate::layout::FileEntry;
use crate::process;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Most stdout a compile command may print.
pub const MAX_OUTPUT: u64 = 16 * 1024 * 1024;
/// Lines of stderr shown when a compile fails.
const STDERR_LINES: usize = 5;

/// Split `GLOB=COMMAND` at the first `=` and check both halves.
pub fn parse_rule(spec: &str) -> Result<(String, String), String> {
    let Some((glob, command)) = spec.split_once('=') else {
        return Err(format!(
            "--compile '{spec}' is not GLOB=COMMAND, e.g. '*.py=python3 -m mydags.compile'"
        ));
    };
    let (glob, command) = (glob.trim(), command.trim());
    check_glob(glob).map_err(|e| format!("--compile '{spec}': {e}"))?;
    argv(command).map_err(|e| format!("--compile '{spec}': {e}"))?;
    Ok((glob.to_string(), command.to_string()))
}

/// A glob is `/`-separated segments of literal text, `*` (any characters
/// but `/`) and `?` (one character), or a whole `**` segment (any number of
/// folders). Without a `/` it matches file names in any folder.
fn check_glob(glob: &str) -> Result<(), String> {
    if glob.is_empty() {
        return Err("the glob is empty".into());
    }
    let trimmed = glob.strip_prefix('/').unwrap_or(glob);
    for segment in trimmed.split('/') {
        if segment.is_empty() {
            return Err(format!(
                "glob '{glob}' has an empty folder ('//' or a trailing '/')"
            ));
        }
        if segment == "." || segment == ".." {
            return Err(format!(
                "glob '{glob}' must not contain '.' or '..' folders"
            ));
        }
        if segment != "**" && segment.contains("**") {
            return Err(format!(
                "glob '{glob}': '**' must be a whole folder, as in '**/*.jar'"
            ));
        }
    }
    Ok(())
}

/// The command's words, split like a shell would but without expansion.
fn argv(command: &str) -> Result<Vec<String>, String> {
    let words =
        shell_words::split(command).map_err(|e| format!("cannot split the command: {e}"))?;
    if words.first().is_none_or(|w| w.is_empty()) {
        return Err("the command is empty".into());
    }
    Ok(words)
}

/// Whether `path` (relative to the repo path) matches `glob`.
pub fn matches(glob: &str, path: &str) -> bool {
    if !glob.trim_start_matches('/').contains('/') {
        let name = path.rsplit('/').next().unwrap_or(path);
        return segment_matches(glob.as_bytes(), name.as_bytes());
    }
    let pattern: Vec<&str> = glob.trim_start_matches('/').split('/').collect();
    let parts: Vec<&str> = path.split('/').collect();
    path_matches(&pattern, &parts)
}

/// One pass per pattern segment over which path prefixes are still matched,
/// so the cost is segments times parts: trying every split for every `**`
/// instead is exponential in the number of `**` (a repository path of many
/// folders against `**/**/…` hung the sync).
fn path_matches(pattern: &[&str], parts: &[&str]) -> bool {
    // matched[j]: the segments seen so far match the first j parts.
    let mut matched = vec![false; parts.len() + 1];
    matched[0] = true;
    for segment in pattern {
        if *segment == "**" {
            // Zero or more parts: every prefix at or after a matched one.
            let mut reached = false;
            for m in matched.iter_mut() {
                reached |= *m;
                *m = reached;
            }
        } else {
            for j in (0..parts.len()).rev() {
                matched[j + 1] =
                    matched[j] && segment_matches(segment.as_bytes(), parts[j].as_bytes());
            }
            matched[0] = false;
        }
        if !matched.contains(&true) {
            return false;
        }
    }
    matched[parts.len()]
}

/// `*` and `?` within one path segment (byte-wise; `?` is one byte).
fn segment_matches(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    // Where the last `*` was and how much text it has swallowed so far.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == b'?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// Runs compile commands for one parse, with their cache.
pub struct Compiler<'a> {
    pub rules: &'a [(String, String)],
    pub cache: Option<&'a Path>,
    pub timeout: Duration,
    /// Credential variables kept out of the commands' environment.
    pub scrub_env: &'a [String],
}

impl Compiler<'_> {
    /// The command of the first rule whose glob matches `path`.
    pub fn command_for(&self, path: &str) -> Option<&str> {
        self.rules
            .iter()
            .find(|(glob, _)| matches(glob, path))
            .map(|(_, command)| command.as_str())
    }

    /// The JSON a command prints for one file, from the cache when the same
    /// blob was compiled by the same command under the same name before.
    pub fn compile(
        &self,
        entry: &FileEntry,
        content: &[u8],
        command: &str,
    ) -> Result<Value, String> {
        let name = entry.path.rsplit('/').next().unwrap_or(&entry.path);
        let cached = self
            .cache
            .map(|dir| cache_file(dir, &entry.id, command, name));
        if let Some(file) = &cached
            && let Some(value) = read_cache(file, &entry.id, command, name)
        {
            return Ok(value);
        }
        let value = self.run(name, content, command)?;
        if let Some(file) = &cached {
            // The cache only saves work: a cache that cannot be written
            // means compiling again next time, not a failed run.
            let _ = write_cache(file, &entry.id, command, name, &value);
        }
        Ok(value)
    }

    fn run(&self, name: &str, content: &[u8], command: &str) -> Result<Value, String> {
        let words = argv(command)?;
        // Only this user may read the copy: repository content can be private.
        let folder = process::private_temp_dir("gitsync-compile-")
            .map_err(|e| format!("cannot create a temporary folder: {e}"))?;
        let file = folder.path().join(name);
        std::fs::write(&file, content)
            .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
        let mut cmd = Command::new(&words[0]);
        process::scrub(&mut cmd, self.scrub_env);
        cmd.args(&words[1..]).arg(&file).current_dir(folder.path());
        let done = process::run(cmd, None, self.timeout, MAX_OUTPUT, process::Overflow::Stop)
            .map_err(|e| format!("cannot run '{}': {e}", words[0]))?;
        let stderr = match process::last_lines(&done.stderr, STDERR_LINES) {
            tail if tail.is_empty() => String::new(),
            tail => format!("; stderr: {tail}"),
        };
        if done.overflowed {
            return Err(format!(
                "'{command}' printed more than {MAX_OUTPUT} bytes and was stopped; output is limited to 16 MiB"
            ));
        }
        if !done.success() {
            return Err(format!(
                "'{command}' {}{stderr}",
                done.describe(self.timeout)
            ));
        }
        serde_json::from_slice(&done.stdout)
            .map_err(|e| format!("'{command}' did not print JSON ({e}){stderr}"))
    }
}

fn cache_file(dir: &Path, blob: &str, command: &str, name: &str) -> PathBuf {
    dir.join(format!(
        "{:016x}.json",
        process::fnv1a(&[blob, command, name])
    ))
}

/// The cached output, if the file holds one for exactly this blob, command
/// and name (the file name is a hash, so it is checked against its content).
fn read_cache(file: &Path, blob: &str, command: &str, name: &str) -> Option<Value> {
    let text = std::fs::read(file).ok()?;
    let mut entry: Value = serde_json::from_slice(&text).ok()?;
    let same = entry["blob"] == blob && entry["command"] == command && entry["name"] == name;
    same.then(|| entry["output"].take())
}

fn write_cache(
    file: &Path,
    blob: &str,
    command: &str,
    name: &str,
    output: &Value,
) -> std::io::Result<()> {
    let dir = file.parent().expect("cache files live in a folder");
    std::fs::create_dir_all(dir)?;
    let entry = serde_json::json!({
        "blob": blob,
        "command": command,
        "name": name,
        "output": output,
    });
    // Written beside and renamed, so a reader never sees half a file.
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    serde_json::to_writer(&mut tmp, &entry)?;
    tmp.persist(file).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_glob_without_a_slash_matches_names_in_any_folder() {
        assert!(matches("*.py", "etl.py"));
        assert!(matches("*.py", "team-a/dags/etl.py"));
        assert!(!matches("*.py", "etl.pyc"));
        assert!(matches("etl_?.py", "x/etl_1.py"));
        assert!(!matches("etl_?.py", "x/etl_10.py"));
        assert!(matches("*", "a/b"));
    }

    #[test]
    fn a_glob_with_a_slash_matches_the_whole_path() {
        assert!(matches("dags/*.py", "dags/etl.py"));
        assert!(!matches("dags/*.py", "dags/sub/etl.py"));
        assert!(!matches("dags/*.py", "x/dags/etl.py"));
        assert!(matches("**/*.jar", "a.jar"));
        assert!(matches("**/*.jar", "lib/x/a.jar"));
        assert!(matches("dags/**/*.py", "dags/etl.py"));
        assert!(matches("dags/**/*.py", "dags/a/b/etl.py"));
        assert!(matches("/dags/*.py", "dags/etl.py"));
        assert!(matches("d*s/*_dag.py", "dags/x_dag.py"));
        assert!(matches("dags/**", "dags"));
        assert!(matches("dags/**", "dags/a/b"));
        assert!(!matches("dags/**/x", "dags"));
        assert!(matches("a/**/**/b", "a/b"));
        assert!(!matches("a/**/b", "a/c"));
    }

    #[test]
    fn many_double_stars_against_a_deep_path_answer_at_once() {
        // Once exponential: every `**` tried every split of the rest.
        let glob = ["**"; 40].join("/") + "/x";
        let path = ["d"; 200].join("/");
        assert!(!matches(&glob, &path));
        assert!(matches(&glob, &(path + "/x")));
    }

    #[cfg(unix)]
    #[test]
    fn the_copy_lives_in_a_folder_only_this_user_can_read() {
        let compiler = Compiler {
            rules: &[],
            cache: None,
            timeout: Duration::from_secs(10),
            scrub_env: &[],
        };
        let script = r#"sh -c 'printf "{\"mode\": \"%s\"}" "$(stat -c %a "$(dirname "$1")")"' c"#;
        let out = compiler.run("a.py", b"x", script).unwrap();
        assert_eq!(out["mode"], "700");
    }

    #[test]
    fn rules_are_checked_when_given() {
        assert_eq!(
            parse_rule("*.py=python3 -m x.compile --mode=json"),
            Ok(("*.py".into(), "python3 -m x.compile --mode=json".into()))
        );
        for (bad, needle) in [
            ("*.py", "not GLOB=COMMAND"),
            ("=python3", "the glob is empty"),
            ("*.py=", "the command is empty"),
            ("*.py=  ", "the command is empty"),
            ("a**/*.py=x", "whole folder"),
            ("dags//*.py=x", "empty folder"),
            ("../*.py=x", "'..'"),
            ("*.py=python3 'unclosed", "cannot split"),
        ] {
            let err = parse_rule(bad).unwrap_err();
            assert!(err.contains(needle), "{bad}: {err}");
        }
    }
}
