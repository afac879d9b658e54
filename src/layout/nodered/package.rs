//! npm package names and version specs as `package.json` and the node
//! catalog give them: a registry name and a registry version, range or
//! dist-tag, never a place to download code from unless the host allows it.
//!
//! npm installs a git, URL, file or alias dependency as readily as a registry
//! one, and runs its install scripts: a repository that picks the source
//! picks the code the host runs. So only what the registry serves under the
//! declared name passes by default; `--allow-package-source` opens the rest
//! per repo. `contrib/hooks/nodered-npm-install` applies the same rules.

use crate::layout::{check_plain, quoted};
use crate::model::PackageSource;

/// npm's limit on the length of a package name, scope included.
const MAX_NAME_LEN: usize = 214;
/// node-semver's limit on the length of a version range.
const MAX_SPEC_LEN: usize = 256;
/// node-semver's limit on the digits of one version number.
const MAX_NUMBER_DIGITS: usize = 16;

/// Check an npm package name: lower case, at most 214 bytes, an optional
/// `@scope/` and a name, each made of `a-z 0-9 . _ ~ -` and starting with
/// a letter or digit (so never `.`, `_` or an option's `-`), no `..`, no
/// other `/`.
pub fn check_name(name: &str) -> Result<(), String> {
    check_plain(name)?;
    let refuse = |why: &str| {
        Err(format!(
            "{} is not an npm package name: {why}; use the name the package has on the npm registry, such as node-red-dashboard or @flowfuse/node-red-dashboard",
            quoted(name)
        ))
    };
    if name.is_empty() {
        return refuse("it is empty");
    }
    if name.len() > MAX_NAME_LEN {
        return refuse(&format!(
            "it is {} bytes long, over npm's limit of {MAX_NAME_LEN}",
            name.len()
        ));
    }
    if name.chars().any(|c| c.is_ascii_uppercase()) {
        return refuse("npm package names are lower case");
    }
    let parts: Vec<&str> = match name.strip_prefix('@') {
        Some(scoped) => match scoped.split_once('/') {
            Some((scope, rest)) => vec![scope, rest],
            None => return refuse("a scoped name is @scope/name"),
        },
        None => vec![name],
    };
    for part in parts {
        if part.contains('/') {
            return refuse("only the @scope/ prefix may hold a '/'");
        }
        if part.contains("..") {
            return refuse("it holds '..'");
        }
        let mut chars = part.chars();
        match chars.next() {
            Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit() => {}
            Some(_) => return refuse("each part starts with a letter or a digit"),
            None => return refuse("a part is empty"),
        }
        if !chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._~-".contains(c)) {
            return refuse("only a-z, 0-9, '.', '_', '~' and '-' are allowed");
        }
    }
    if matches!(name, "node_modules" | "favicon.ico") {
        return refuse("npm reserves that name");
    }
    Ok(())
}

/// Check the version spec of a dependency: a registry version, range or
/// dist-tag, or a source the host allows for the repo. The error says what
/// the spec is and what to do.
pub fn check_spec(spec: &str, allowed: &[PackageSource]) -> Result<(), String> {
    check_plain(spec)?;
    let text = spec.trim();
    if text.len() > MAX_SPEC_LEN {
        return Err(format!(
            "version {} is {} bytes long, over npm's limit of {MAX_SPEC_LEN}",
            quoted(text),
            text.len()
        ));
    }
    if is_registry_spec(text) {
        return Ok(());
    }
    let Some(source) = source_of(text) else {
        return Err(format!(
            "version {} is not an npm version, range or dist-tag; pin a registry version such as 1.2.3, or a range such as ^1.2.3",
            quoted(text)
        ));
    };
    if !allowed.contains(&source) {
        let what = match source {
            PackageSource::Git => "a git source",
            PackageSource::Url => "a tarball URL",
            PackageSource::File => "a local file or folder",
            PackageSource::Alias => "an npm alias to another package",
        };
        let kind = source.as_str();
        return Err(format!(
            "version {} is {what}: npm would install code from where the repository points and run its install scripts; pin a registry version such as 1.2.3, or let the host allow {kind} sources with --allow-package-source {kind}",
            quoted(text),
        ));
    }
    if source == PackageSource::Alias {
        // Allowed, but still a registry package: name and range checked.
        let target = &text["npm:".len()..];
        let (name, version) = match target.get(1..).and_then(|t| t.find('@')) {
            Some(at) => (&target[..at + 1], Some(&target[at + 2..])),
            None => (target, None),
        };
        check_name(name).map_err(|why| format!("alias {}: {why}", quoted(text)))?;
        if let Some(version) = version
            && !is_registry_spec(version)
        {
            return Err(format!(
                "alias {}: {} is not an npm version, range or dist-tag",
                quoted(text),
                quoted(version)
            ));
        }
    }
    Ok(())
}

/// A version, range or dist-tag the registry resolves for the declared
/// name. (npm reads a tarball's name, `x-1.0.0.tgz`, as a file, not a tag.)
pub fn is_registry_spec(text: &str) -> bool {
    is_range(text) || (is_dist_tag(text) && source_of(text).is_none())
}

/// A dist-tag such as `latest` or `next`: a letter, then letters, digits,
/// `.`, `_` and `-`. (npm allows any URL-safe text; gitsync asks for a
/// letter first so that no tag can read as an option, a path or a range.)
fn is_dist_tag(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}

/// Which non-registry source a spec names, the way npm reads it, or `None`
/// when it is no spec npm understands.
fn source_of(text: &str) -> Option<PackageSource> {
    let lower = text.to_ascii_lowercase();
    if lower.starts_with("npm:") {
        return Some(PackageSource::Alias);
    }
    const GIT_PREFIXES: [&str; 6] = [
        "git+",
        "git://",
        "github:",
        "gitlab:",
        "bitbucket:",
        "gist:",
    ];
    if GIT_PREFIXES.iter().any(|p| lower.starts_with(p)) {
        return Some(PackageSource::Git);
    }
    if lower.starts_with("file:") || lower.starts_with("link:") {
        return Some(PackageSource::File);
    }
    if let Some(rest) = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    {
        // npm clones URLs of the hosted git services instead of downloading them.
        let host = rest.split(['/', '#', '?']).next().unwrap_or_default();
        let host = host.rsplit('@').next().unwrap_or(host);
        let hosted = [
            "github.com",
            "gitlab.com",
            "bitbucket.org",
            "gist.github.com",
        ];
        return Some(if hosted.contains(&host) {
            PackageSource::Git
        } else {
            PackageSource::Url
        });
    }
    let bytes = text.as_bytes();
    let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    if text.starts_with(['.', '/', '\\']) || text.starts_with("~/") || drive {
        return Some(PackageSource::File);
    }
    if [".tgz", ".tar.gz", ".tar"]
        .iter()
        .any(|e| lower.ends_with(e))
    {
        return Some(PackageSource::File);
    }
    // `git@host:path` (scp-like) and `user/repo` (GitHub shorthand).
    if let Some((before, _)) = text.split_once(':')
        && before.contains('@')
    {
        return Some(PackageSource::Git);
    }
    if text.contains('/') && !text.starts_with('@') {
        return Some(PackageSource::Git);
    }
    None
}

/// An npm semver range in node-semver's grammar: alternatives joined by
/// `||`, each a hyphen range (`1.2 - 2`) or comparators separated by
/// spaces (`>=1.2.3 <2`), each comparator an optional operator (`<`, `<=`,
/// `>`, `>=`, `=`, `~`, `~>`, `^`) and a partial version (`1`, `1.x`,
/// `v1.2.3-beta.1+build`, `*`). An exact version is a range too.
fn is_range(text: &str) -> bool {
    text.split("||").all(|alternative| {
        let tokens: Vec<&str> = alternative.split_whitespace().collect();
        match tokens.as_slice() {
            [] => false,
            [low, "-", high] => is_partial(low) && is_partial(high),
            _ => comparators(&tokens),
        }
    })
}

/// Comparators, where an operator may stand apart from its version
/// (`>= 1.2.3`), as node-semver allows.
fn comparators(tokens: &[&str]) -> bool {
    const OPERATORS: [&str; 8] = [">=", "<=", "~>", ">", "<", "=", "~", "^"];
    let mut pending_operator = false;
    for token in tokens {
        let operator = OPERATORS.iter().find(|op| token.starts_with(*op));
        let rest = operator.map_or(*token, |op| &token[op.len()..]);
        if pending_operator && operator.is_some() {
            return false;
        }
        if rest.is_empty() {
            if operator.is_none() {
                return false;
            }
            pending_operator = true;
            continue;
        }
        pending_operator = false;
        if !is_partial(rest) {
            return false;
        }
    }
    !pending_operator
}

/// `1`, `1.2`, `1.x`, `1.2.3`, `v1.2.3-rc.1+build.5`, `*`: up to three
/// numbers or wildcards, a pre-release and build only after all three.
fn is_partial(text: &str) -> bool {
    let text = text.strip_prefix('v').unwrap_or(text);
    let (core, qualifier) = match text.find(['-', '+']) {
        Some(at) => text.split_at(at),
        None => (text, ""),
    };
    let numbers: Vec<&str> = core.split('.').collect();
    if numbers.len() > 3 || !numbers.iter().all(|n| is_number_or_wildcard(n)) {
        return false;
    }
    if qualifier.is_empty() {
        return true;
    }
    if numbers.len() != 3 {
        return false;
    }
    let (pre, build) = match qualifier.strip_prefix('-') {
        Some(rest) => match rest.split_once('+') {
            Some((pre, build)) => (Some(pre), Some(build)),
            None => (Some(rest), None),
        },
        None => (None, qualifier.strip_prefix('+')),
    };
    pre.is_none_or(is_identifiers) && build.is_none_or(is_identifiers)
}

fn is_number_or_wildcard(text: &str) -> bool {
    matches!(text, "x" | "X" | "*")
        || text == "0"
        || (text.len() <= MAX_NUMBER_DIGITS
            && text.starts_with(|c: char| ('1'..='9').contains(&c))
            && text.chars().all(|c| c.is_ascii_digit()))
}

/// Dot-separated pre-release or build identifiers: `rc.1`, `beta-2`.
fn is_identifiers(text: &str) -> bool {
    text.split('.')
        .all(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_world_names_pass() {
        for name in [
            "node-red-dashboard",
            "@flowfuse/node-red-dashboard",
            "node-red-contrib-influxdb",
            "socket.io",
            "lodash_fp",
            "@node-red-contrib-themes/theme-collection",
            "a~b",
        ] {
            assert_eq!(check_name(name), Ok(()), "{name}");
        }
    }

    #[test]
    fn names_npm_would_refuse_or_misread_are_refused() {
        let too_long = "a".repeat(215);
        for (name, why) in [
            ("", "it is empty"),
            ("Node-Red-Dashboard", "lower case"),
            (".hidden", "starts with a letter or a digit"),
            ("_private", "starts with a letter or a digit"),
            ("-rf", "starts with a letter or a digit"),
            ("a..b", "'..'"),
            ("../../x", "a '/'"),
            ("@scope", "@scope/name"),
            ("@scope/a/b", "a '/'"),
            ("@/x", "a part is empty"),
            ("a b", "only a-z"),
            ("git+http://host/evil.git", "a '/'"),
            ("git+x", "only a-z"),
            ("node_modules", "npm reserves"),
            (too_long.as_str(), "over npm's limit of 214"),
        ] {
            let err = check_name(name).unwrap_err();
            assert!(err.contains(why), "{name}: {err}");
            assert!(err.contains("not an npm package name"), "{name}: {err}");
        }
    }

    #[test]
    fn control_and_bidi_characters_in_names_are_refused_and_shown_escaped() {
        for (name, shown) in [
            ("../../x\nok", "\\n"),
            ("evil\u{1b}[31m", "\\e"),
            ("bell\u{7}", "\\a"),
            ("c1\u{9b}", "\\u{9b}"),
            ("del\u{7f}", "\\u{7f}"),
            ("abc\u{202e}fdp", "\\u{202e}"),
            ("iso\u{2066}late", "\\u{2066}"),
            ("mark\u{61c}", "\\u{61c}"),
        ] {
            let err = check_name(name).unwrap_err();
            assert!(err.contains(shown), "{name:?}: {err}");
            assert!(crate::text::first_unsafe_char(&err).is_none(), "{err:?}");
        }
    }

    #[test]
    fn registry_versions_ranges_and_tags_pass() {
        for spec in [
            "1.2.3",
            "^3.2.3",
            "~1.0.0",
            "~1.2",
            "1.x",
            "1.2.x",
            "*",
            "x",
            ">=2.0.0 <3",
            ">= 2.0.0 < 3",
            ">=1 <2 || ^4.1",
            "1.2.3 - 2.3.4",
            "=1.2.3",
            "v1.2.3",
            "~>1.2",
            "1.0.0-beta.2",
            "2.0.0-rc-1+build.5",
            "^0.4.0",
            "latest",
            "next",
            "beta.2",
            " 1.2.3 ",
        ] {
            assert_eq!(check_spec(spec, &[]), Ok(()), "{spec}");
        }
    }

    #[test]
    fn sources_other_than_the_registry_are_refused_by_kind_with_what_to_do() {
        for (spec, kind) in [
            ("git+http://host/evil.git", "git"),
            ("git+ssh://git@github.com/u/r.git", "git"),
            ("git://github.com/u/r.git", "git"),
            ("github:user/repo", "git"),
            ("gitlab:user/repo#v1", "git"),
            ("user/repo", "git"),
            ("user/repo#semver:^1.0", "git"),
            ("git@github.com:user/repo.git", "git"),
            ("https://github.com/user/repo", "git"),
            ("https://example.com/pkg-1.0.0.tgz", "url"),
            ("http://127.0.0.1:8080/x", "url"),
            ("file:../local", "file"),
            ("link:../local", "file"),
            ("./local", "file"),
            ("/opt/pkg", "file"),
            ("~/pkg", "file"),
            ("pkg-1.0.0.tgz", "file"),
            ("npm:other-package@1.2.3", "alias"),
        ] {
            let err = check_spec(spec, &[]).unwrap_err();
            assert!(
                err.contains(&format!("--allow-package-source {kind}"))
                    && err.contains("pin a registry version such as 1.2.3"),
                "{spec}: {err}"
            );
        }
    }

    #[test]
    fn a_host_allowance_opens_exactly_its_kind_of_source() {
        assert_eq!(
            check_spec("github:user/repo", &[PackageSource::Git]),
            Ok(())
        );
        assert_eq!(check_spec("user/repo", &[PackageSource::Git]), Ok(()));
        assert!(check_spec("https://example.com/p.tgz", &[PackageSource::Git]).is_err());
        assert_eq!(
            check_spec("https://example.com/p.tgz", &[PackageSource::Url]),
            Ok(())
        );
        assert_eq!(check_spec("file:../x", &[PackageSource::File]), Ok(()));
        let alias = [PackageSource::Alias];
        assert_eq!(check_spec("npm:@scope/other@^1.2", &alias), Ok(()));
        assert_eq!(check_spec("npm:other", &alias), Ok(()));
        let bad = check_spec("npm:Other@1", &alias).unwrap_err();
        assert!(bad.contains("lower case"), "{bad}");
        let bad = check_spec("npm:other@git+http://x", &alias).unwrap_err();
        assert!(bad.contains("is not an npm version"), "{bad}");
        // An allowance never lets a control character through.
        let all = PackageSource::ALL;
        let err = check_spec("git+http://host/evil.git\n1.0.0", &all).unwrap_err();
        assert!(err.contains("control character \\n"), "{err}");
    }

    #[test]
    fn text_that_is_no_npm_spec_is_refused() {
        let long = format!("1.2.3 {}", "<2 ".repeat(100));
        for (spec, why) in [
            ("1.2.3.4", "not an npm version, range or dist-tag"),
            ("-rf", "not an npm version"),
            ("$(reboot)", "not an npm version"),
            ("1.0.0 && curl x", "not an npm version"),
            ("1.2-beta", "not an npm version"),
            ("01.2.3", "not an npm version"),
            ("^", "not an npm version"),
            (">=", "not an npm version"),
            ("1 ||", "not an npm version"),
            (long.as_str(), "over npm's limit of 256"),
            ("git+http://host/evil.git\n1.0.0", "control character \\n"),
            ("1.0.0\u{1b}]8;;http://x\u{7}", "control character \\e"),
            ("1.0.0\u{202e}", "bidirectional control \\u{202e}"),
        ] {
            let err = check_spec(spec, &[]).unwrap_err();
            assert!(err.contains(why), "{spec:?}: {err}");
            assert!(crate::text::first_unsafe_char(&err).is_none(), "{err:?}");
        }
    }
}
