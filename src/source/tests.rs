//! Tests against real repositories built with the `git` CLI in temp dirs,
//! with a hermetic config and pinned identities and dates.

use super::*;
use crate::layout::EntryKind;
use std::process::Command;
use tempfile::TempDir;

/// Run git in `dir` hermetically and return trimmed stdout; panic on failure.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Ada Author")
        .env("GIT_AUTHOR_EMAIL", "ada@example.org")
        .env("GIT_AUTHOR_DATE", "2024-03-04T05:06:07+02:00")
        .env("GIT_COMMITTER_NAME", "Cy Committer")
        .env("GIT_COMMITTER_EMAIL", "cy@example.org")
        .env("GIT_COMMITTER_DATE", "2024-03-04T05:06:07+02:00")
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// An upstream repository with a work tree, served by path or `file://`.
struct Upstream {
    dir: TempDir,
}

impl Upstream {
    fn new() -> Upstream {
        let dir = TempDir::new().unwrap();
        git(dir.path(), &["init", "-q", "-b", "main"]);
        Upstream { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn url(&self) -> String {
        format!("file://{}", self.path().display())
    }

    fn write(&self, file: &str, content: &str) {
        let p = self.path().join(file);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }

    /// Write `files`, commit everything with `msg`, return the commit id.
    fn commit(&self, files: &[(&str, &str)], msg: &str) -> String {
        for (f, c) in files {
            self.write(f, c);
        }
        git(self.path(), &["add", "-A"]);
        git(self.path(), &["commit", "-q", "-m", msg]);
        git(self.path(), &["rev-parse", "HEAD"])
    }
}

fn mirror() -> (TempDir, Mirror) {
    let dir = TempDir::new().unwrap();
    let m = Mirror::open_or_init(&dir.path().join("mirrors/demo.git")).unwrap();
    (dir, m)
}

fn branch(url: &str, b: &str) -> Remote {
    Remote::new(url, GitRef::Branch(b.into()))
}

#[test]
fn parse_refs() {
    assert_eq!(GitRef::parse("main"), Ok(GitRef::Branch("main".into())));
    assert_eq!(
        GitRef::parse("feature/x-1"),
        Ok(GitRef::Branch("feature/x-1".into()))
    );
    assert_eq!(GitRef::parse("tag:v1.2"), Ok(GitRef::Tag("v1.2".into())));
    let sha = "A".repeat(40);
    assert_eq!(
        GitRef::parse(&format!("commit:{sha}")),
        Ok(GitRef::Commit("a".repeat(40)))
    );
    for (bad, rule) in [
        ("", "empty"),
        ("has space", "' '"),
        ("a..b", "'..'"),
        ("-x", "'-'"),
        ("/x", "'/'"),
        ("x/", "'/'"),
        ("a//b", "'//'"),
        ("x.lock", ".lock"),
        (".hidden", "'.'"),
        ("x.", "'.'"),
        ("a@{b", "'@{'"),
        ("a~1", "'~'"),
        ("a:b", "':'"),
        ("HEAD", "HEAD"),
        ("tag:", "empty"),
        ("tag:a b", "' '"),
        ("commit:abc1234", "full 40"),
        ("commit:", "full 40"),
        ("commit:zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", "hex"),
    ] {
        let err = GitRef::parse(bad).expect_err(bad);
        assert!(err.contains(rule), "{bad:?}: {err}");
        assert!(!err.contains('\n'));
    }
    // Display round-trips.
    for s in ["main", "tag:v1", &format!("commit:{}", "b".repeat(40))] {
        assert_eq!(GitRef::parse(s).unwrap().to_string(), s);
    }
}

#[test]
fn open_or_init_creates_and_reopens_without_remote_config() {
    let (dir, m) = mirror();
    assert!(m.path().join("HEAD").exists());
    let again = Mirror::open_or_init(m.path()).unwrap();
    assert_eq!(again.path(), m.path());
    // A non-empty folder that is not a repository is left alone.
    let junk = dir.path().join("junk");
    std::fs::create_dir_all(&junk).unwrap();
    std::fs::write(junk.join("file"), "x").unwrap();
    assert!(Mirror::open_or_init(&junk).is_err());
    assert!(!junk.join("HEAD").exists());
}

#[test]
fn fetch_by_path_and_file_url_noop_new_commit_and_force_push() {
    let up = Upstream::new();
    let c1 = up.commit(&[("a.txt", "one")], "first");
    let (_d, m) = mirror();

    // Local path.
    let f = m
        .fetch(&branch(up.path().to_str().unwrap(), "main"))
        .unwrap();
    assert_eq!(f.commit, c1);
    assert!(f.transferred);
    assert_eq!(m.resolve_local(&GitRef::Branch("main".into())).unwrap(), c1);

    // Same commit over file://: no pack.
    let remote = branch(&up.url(), "main");
    let f = m.fetch(&remote).unwrap();
    assert_eq!(f.commit, c1);
    assert!(!f.transferred);

    // The URL never lands in the mirror's config.
    let config = std::fs::read_to_string(m.path().join("config")).unwrap();
    assert!(!config.contains("remote"), "{config}");
    assert!(!config.contains(up.path().to_str().unwrap()), "{config}");

    // A new commit arrives; shallow by default.
    let c2 = up.commit(&[("b/c.txt", "two")], "second");
    let f = m.fetch(&remote).unwrap();
    assert_eq!(f.commit, c2);
    assert!(f.transferred);
    assert!(m.path().join("shallow").exists());
    assert!(!m.fetch(&remote).unwrap().transferred);

    // History rewritten upstream: the mirror follows.
    git(up.path(), &["reset", "-q", "--hard", &c1]);
    let c3 = up.commit(&[("a.txt", "rewritten")], "rewritten");
    assert_ne!(c3, c2);
    let f = m.fetch(&remote).unwrap();
    assert_eq!(f.commit, c3);
    assert!(f.transferred);
    let files = m.files(&c3, "").unwrap();
    assert_eq!(files.read("a.txt").unwrap(), b"rewritten");
    assert!(files.entry("b/c.txt").is_none());

    // Back to an old commit the mirror already has.
    git(up.path(), &["reset", "-q", "--hard", &c2]);
    let f = m.fetch(&remote).unwrap();
    assert_eq!(f.commit, c2);
}

#[test]
fn full_history_when_depth_is_none() {
    let up = Upstream::new();
    let c1 = up.commit(&[("a", "1")], "one");
    let c2 = up.commit(&[("a", "2")], "two");
    let (_d, m) = mirror();
    let mut remote = branch(&up.url(), "main");
    remote.depth = None;
    assert_eq!(m.fetch(&remote).unwrap().commit, c2);
    assert!(!m.path().join("shallow").exists());
    assert_eq!(m.commit_info(&c1).unwrap().subject, "one");
}

#[test]
fn tags_moved_tags_and_annotated_tags() {
    let up = Upstream::new();
    let c1 = up.commit(&[("a", "1")], "one");
    git(up.path(), &["tag", "v1"]);
    let (_d, m) = mirror();
    let remote = Remote::new(up.url(), GitRef::Tag("v1".into()));
    assert_eq!(m.probe(&remote).unwrap(), c1);
    let f = m.fetch(&remote).unwrap();
    assert_eq!((f.commit.as_str(), f.transferred), (c1.as_str(), true));
    assert!(!m.fetch(&remote).unwrap().transferred);

    // The tag moves.
    let c2 = up.commit(&[("a", "2")], "two");
    git(up.path(), &["tag", "-f", "v1"]);
    assert_eq!(m.fetch(&remote).unwrap().commit, c2);
    assert_eq!(m.resolve_local(&remote.git_ref).unwrap(), c2);

    // Annotated tag: resolves to the commit, not the tag object.
    git(up.path(), &["tag", "-a", "v2", "-m", "release", &c1]);
    let remote = Remote::new(up.url(), GitRef::Tag("v2".into()));
    assert_eq!(m.probe(&remote).unwrap(), c1);
    let f = m.fetch(&remote).unwrap();
    assert_eq!(f.commit, c1);
    assert!(!m.fetch(&remote).unwrap().transferred);

    // Branch fetches bring no tags along.
    let (_d2, m2) = mirror();
    m2.fetch(&branch(&up.url(), "main")).unwrap();
    assert!(matches!(
        m2.resolve_local(&GitRef::Tag("v1".into())),
        Err(SourceError::NotFetched { .. })
    ));
}

#[test]
fn commit_pin() {
    let up = Upstream::new();
    let c1 = up.commit(&[("a", "1")], "one");
    let c2 = up.commit(&[("a", "2")], "two");
    let (_d, m) = mirror();
    let pin = Remote::new(up.url(), GitRef::Commit(c1.clone()));
    assert_eq!(m.probe(&pin).unwrap(), c1);
    let f = m.fetch(&pin).unwrap();
    assert_eq!((f.commit.as_str(), f.transferred), (c1.as_str(), true));
    assert_eq!(m.resolve_local(&pin.git_ref).unwrap(), c1);
    assert_eq!(m.files(&c1, "").unwrap().read("a").unwrap(), b"1");
    let open = gix::open(m.path()).unwrap();
    let pinned = open.find_reference(PINNED_REF).unwrap().id().detach();
    assert_eq!(pinned.to_string(), c1);
    // Fetched by id: no branch came along.
    assert!(open.find_reference("refs/remotes/origin/main").is_err());

    // Already present: the network is not used at all.
    let offline = Remote::new("/nonexistent/upstream", GitRef::Commit(c1.clone()));
    let f = m.fetch(&offline).unwrap();
    assert_eq!((f.commit.as_str(), f.transferred), (c1.as_str(), false));

    // A pin the remote does not have.
    let missing = Remote::new(up.url(), GitRef::Commit("0123456789".repeat(4)));
    let err = m.fetch(&missing).unwrap_err();
    assert!(matches!(err, SourceError::RefNotFound { .. }), "{err}");
    assert_eq!(m.resolve_local(&pin.git_ref).unwrap(), c1);
    let _ = c2;
}

#[test]
fn missing_ref_and_unreachable_remote() {
    let up = Upstream::new();
    let c1 = up.commit(&[("a", "1")], "one");
    let (_d, m) = mirror();
    let remote = branch(&up.url(), "main");
    m.fetch(&remote).unwrap();

    let err = m.fetch(&branch(&up.url(), "nope")).unwrap_err();
    assert!(matches!(err, SourceError::RefNotFound { .. }));
    assert_eq!(
        err.to_string(),
        format!("ref 'nope' not found at '{}'", up.url())
    );
    let err = m.probe(&branch(&up.url(), "nope")).unwrap_err();
    assert!(matches!(err, SourceError::RefNotFound { .. }), "{err}");
    let err = m
        .fetch(&Remote::new(up.url(), GitRef::Tag("v9".into())))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("ref 'tag:v9' not found at '{}'", up.url())
    );

    // The upstream disappears: a one-line error naming the url, and the
    // mirror keeps what it had.
    let gone = up.path().with_extension("moved");
    std::fs::rename(up.path(), &gone).unwrap();
    for r in [remote.clone(), branch("/nonexistent/upstream", "main")] {
        let err = m.fetch(&r).unwrap_err();
        assert!(matches!(err, SourceError::Unreachable { .. }), "{err}");
        let text = err.to_string();
        assert!(
            text.starts_with(&format!("cannot reach '{}': ", r.url)),
            "{text}"
        );
        assert!(!text.contains('\n'), "{text}");
        assert!(matches!(m.probe(&r), Err(SourceError::Unreachable { .. })));
    }
    std::fs::rename(&gone, up.path()).unwrap();
    assert_eq!(m.resolve_local(&remote.git_ref).unwrap(), c1);
    assert_eq!(m.files(&c1, "").unwrap().read("a").unwrap(), b"1");
}

#[test]
fn resolve_local_before_any_fetch() {
    let (_d, m) = mirror();
    let err = m.resolve_local(&GitRef::Branch("main".into())).unwrap_err();
    assert!(matches!(err, SourceError::NotFetched { .. }));
    assert_eq!(
        err.to_string(),
        "the mirror has no copy of 'main' yet: fetch it first"
    );
    let pin = GitRef::Commit("a".repeat(40));
    assert!(matches!(
        m.resolve_local(&pin),
        Err(SourceError::NotFetched { .. })
    ));
}

#[test]
fn commit_info_fields() {
    let up = Upstream::new();
    let c1 = up.commit(&[("a", "1")], "Add a\n\nwith a body");
    let (_d, m) = mirror();
    m.fetch(&branch(&up.url(), "main")).unwrap();
    assert_eq!(
        m.commit_info(&c1).unwrap(),
        CommitInfo {
            id: c1.clone(),
            author: "Ada Author".into(),
            date: "2024-03-04T03:06:07Z".into(),
            subject: "Add a".into(),
        }
    );
    assert!(matches!(
        m.commit_info(&"f".repeat(40)),
        Err(SourceError::CommitNotFound { .. })
    ));
}

#[test]
fn files_lists_reads_and_refuses() {
    let up = Upstream::new();
    up.write("cfg/app.yaml", "name: app\n");
    up.write("cfg/sub/deep/x.yaml", "x: 1\n");
    up.write("cfg/run.sh", "#!/bin/sh\n");
    up.write("other/o.txt", "o");
    std::os::unix::fs::symlink("app.yaml", up.path().join("cfg/link.yaml")).unwrap();
    std::os::unix::fs::symlink("../other", up.path().join("cfg/dirlink")).unwrap();
    git(
        up.path(),
        &["update-index", "--chmod=+x", "--add", "cfg/run.sh"],
    );
    git(up.path(), &["add", "-A"]);
    // A gitlink (submodule) entry without a .gitmodules checkout.
    let fake = "1234567890".repeat(4);
    git(
        up.path(),
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("160000,{fake},cfg/mod"),
        ],
    );
    git(up.path(), &["commit", "-q", "-m", "files"]);
    let c = git(up.path(), &["rev-parse", "HEAD"]);
    let (_d, m) = mirror();
    m.fetch(&branch(&up.url(), "main")).unwrap();

    let files = m.files(&c, "cfg/").unwrap();
    assert_eq!(files.base(), "cfg");
    assert_eq!(files.commit(), c);
    let listed: Vec<(&str, EntryKind, u64)> = files
        .list()
        .iter()
        .map(|e| (e.path.as_str(), e.kind, e.size))
        .collect();
    assert_eq!(
        listed,
        vec![
            ("cfg/app.yaml", EntryKind::File, 10),
            ("cfg/dirlink", EntryKind::Symlink, 8),
            ("cfg/link.yaml", EntryKind::Symlink, 8),
            ("cfg/mod", EntryKind::Submodule, 0),
            ("cfg/run.sh", EntryKind::File, 10),
            ("cfg/sub/deep/x.yaml", EntryKind::File, 5),
        ]
    );
    let blob = git(up.path(), &["rev-parse", &format!("{c}:cfg/app.yaml")]);
    assert_eq!(files.entry("cfg/app.yaml").unwrap().id, blob);
    assert_eq!(files.read("cfg/sub/deep/x.yaml").unwrap(), b"x: 1\n");
    assert_eq!(files.read("cfg/run.sh").unwrap(), b"#!/bin/sh\n");
    for refused in [
        "cfg/link.yaml",
        "cfg/dirlink",
        "cfg/mod",
        "cfg/nope",
        "other/o.txt",
    ] {
        let err = files.read(refused).unwrap_err();
        assert!(
            matches!(err, LayoutError::Refused { .. }),
            "{refused}: {err}"
        );
    }
    assert!(
        files
            .read("cfg/link.yaml")
            .unwrap_err()
            .to_string()
            .contains("symbolic link")
    );

    // Root listing includes everything; the listing outlives the mirror handle.
    let root = {
        let m2 = Mirror::open_or_init(m.path()).unwrap();
        m2.files(&c, ".").unwrap()
    };
    assert_eq!(root.base(), "");
    assert_eq!(root.list().len(), 7);
    assert_eq!(root.read("other/o.txt").unwrap(), b"o");
    assert_eq!(m.files(&c, "").unwrap().list(), root.list());

    // Path errors.
    let short = &c[..7];
    assert_eq!(
        m.files(&c, "x").err().unwrap().to_string(),
        format!("path 'x' does not exist in commit {short}")
    );
    assert_eq!(
        m.files(&c, "cfg/app.yaml").err().unwrap().to_string(),
        format!("path 'cfg/app.yaml' in commit {short} is a file, not a folder")
    );
    assert!(matches!(
        m.files(&c, "cfg/dirlink"),
        Err(SourceError::NotAFolder {
            what: "a symbolic link",
            ..
        })
    ));
    // The same rule as `repo add --path`: `.` and empty components are
    // dropped, anything that could escape or mean another file is refused.
    assert_eq!(m.files(&c, "./cfg//").unwrap().base, "cfg");
    for bad in ["/cfg", "../x", "cfg/../other", "cfg\\x", "cfg\u{1b}x"] {
        assert!(
            matches!(m.files(&c, bad), Err(SourceError::InvalidPath { .. })),
            "{bad}"
        );
    }
    assert!(matches!(
        m.files(&"e".repeat(40), ""),
        Err(SourceError::CommitNotFound { .. })
    ));
}

#[test]
fn big_files_are_listed_with_size_and_refused() {
    let up = Upstream::new();
    let big = "x".repeat(crate::layout::MAX_READ_SIZE as usize + 1);
    let c = up.commit(&[("big.txt", &big)], "big");
    let (_d, m) = mirror();
    m.fetch(&branch(&up.url(), "main")).unwrap();
    let files = m.files(&c, "").unwrap();
    assert_eq!(files.list()[0].size, big.len() as u64);
    assert!(matches!(
        files.read("big.txt"),
        Err(LayoutError::Refused { .. })
    ));
}

/// Number of pack files in the mirror.
fn packs(m: &Mirror) -> usize {
    std::fs::read_dir(m.path().join("objects/pack"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "pack")
        })
        .count()
}

#[test]
fn noop_fetch_writes_nothing() {
    let up = Upstream::new();
    up.commit(&[("a", "1")], "one");
    let (_d, m) = mirror();
    let remote = branch(&up.url(), "main");
    m.fetch(&remote).unwrap();
    let before = packs(&m);
    assert!(!m.fetch(&remote).unwrap().transferred);
    assert_eq!(packs(&m), before);
}

#[test]
fn commit_pin_falls_back_when_the_server_refuses_unadvertised_ids() {
    let up = Upstream::new();
    let c1 = up.commit(&[("a", "1")], "one");
    up.commit(&[("a", "2")], "two");
    let (_d, m) = mirror();
    // Protocol v0 with the default uploadpack settings refuses a want for
    // a commit that is not a ref tip.
    git(m.path(), &["config", "protocol.version", "0"]);
    let pin = Remote::new(up.url(), GitRef::Commit(c1.clone()));
    let f = m.fetch(&pin).unwrap();
    assert_eq!((f.commit.as_str(), f.transferred), (c1.as_str(), true));
    assert_eq!(m.files(&c1, "").unwrap().read("a").unwrap(), b"1");
    // Only the fallback (all branches) writes tracking refs.
    let open = gix::open(m.path()).unwrap();
    assert!(open.find_reference("refs/remotes/origin/main").is_ok());
    assert!(!m.path().join("shallow").exists());
    let missing = Remote::new(up.url(), GitRef::Commit("0123456789".repeat(4)));
    assert!(matches!(
        m.fetch(&missing),
        Err(SourceError::RefNotFound { .. })
    ));
}

#[test]
fn connection_errors_are_one_line_and_name_the_url() {
    let (_d, m) = mirror();
    for url in [
        "/nonexistent/upstream",
        "file:///nonexistent/upstream",
        "git://127.0.0.1:1/x",
        "::bad url",
    ] {
        let err = m.fetch(&branch(url, "main")).unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, SourceError::Unreachable { .. }), "{text}");
        assert!(
            text.starts_with(&format!("cannot reach '{url}': ")),
            "{text}"
        );
        assert!(!text.contains('\n'), "{text}");
    }
}

/// A server on 127.0.0.1 that accepts connections and never says a word;
/// returns its port. Connections stay open until the test process ends.
fn silent_server() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            held.push(stream);
        }
    });
    port
}

#[test]
fn a_silent_server_fails_probe_and_fetch_at_the_deadline() {
    // Without an overall deadline git:// waited 60 s per read and http
    // until curl's low-speed limit; the deadline ends both at once.
    let port = silent_server();
    let (_d, m) = mirror();
    for url in [
        format!("git://127.0.0.1:{port}/x.git"),
        format!("http://127.0.0.1:{port}/x.git"),
    ] {
        let mut remote = branch(&url, "main");
        remote.limits.timeout = std::time::Duration::from_secs(1);
        for err in [m.probe(&remote).unwrap_err(), m.fetch(&remote).unwrap_err()] {
            assert!(
                matches!(err, SourceError::Deadline { secs: 1, .. }),
                "{err}"
            );
            assert!(
                err.to_string()
                    .starts_with(&format!("no complete answer from '{url}' within 1 s")),
                "{err}"
            );
        }
    }
}
