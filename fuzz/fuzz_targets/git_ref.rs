//! `--ref` parsing: an accepted ref is one git accepts as a full ref name,
//! can never be read as an option, and reads back as itself.
#![no_main]

use gitsync::source::GitRef;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(git_ref) = GitRef::parse(text) else {
        return;
    };
    let full = match &git_ref {
        GitRef::Branch(name) => Some(format!("refs/heads/{name}")),
        GitRef::Tag(name) => Some(format!("refs/tags/{name}")),
        GitRef::Commit(id) => {
            assert_eq!(id.len(), 40, "{id:?}");
            assert!(id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')), "{id:?}");
            None
        }
    };
    if let Some(full) = full {
        assert!(
            gix::validate::reference::name(full.as_str().into()).is_ok(),
            "accepted {text:?}, which git refuses as {full:?}"
        );
        let name = full.splitn(3, '/').nth(2).unwrap_or_default();
        assert!(!name.starts_with('-'), "{text:?} could be read as an option");
    }
    let shown = git_ref.to_string();
    assert_eq!(
        GitRef::parse(&shown).as_ref(),
        Ok(&git_ref),
        "{text:?} reads back differently as {shown:?}"
    );
});
