//! Talking to the remote: connect, list refs, fetch a pack.
//!
//! All network access goes through [`network_repo`] (in-memory settings:
//! timeouts, CA file, allocation limit), [`anonymous_remote`] (refspecs,
//! never saved) and [`connect`] (the transport and the credential callback).
//! Nothing here writes a setting or a secret to the mirror's config. Every
//! fetch and probe runs under one [`Guard`]: its deadline and caps replace
//! whatever error gix reports once one of them stopped the transfer.

use super::limits::{Guard, watch};
use super::ssh::{Problem, Session};
use super::{Auth, GitRef, Mirror, PINNED_REF, Remote, SourceError, one_line, parse_id};
use crate::validate::{self, Transport as UrlKind};
use gix::credentials::helper::{Action, NextAction};
use gix::protocol::transport::client::blocking_io::Transport;
use gix::remote::Direction;
use gix::remote::fetch::{Shallow, Status, Tags};
use gix::remote::ref_map;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

type Connection<'a, 'repo> = gix::remote::Connection<'a, 'static, 'repo, Box<dyn Transport + Send>>;

/// Settings applied to every repository handle used for network access. They
/// live only in memory: nothing here may ever reach the mirror's config file.
const NETWORK_OVERRIDES: &[&str] = &[
    // GIT_TERMINAL_PROMPT=0 semantics: gitsync runs unattended, so a missing
    // credential must fail instead of waiting for a password on a terminal.
    "gitoxide.credentials.terminalPrompt=false",
    // Besides the overall deadline: give up connecting after 10 s, and let
    // curl drop a transfer slower than 1 KiB/s for 60 s (its low-speed limit).
    "gitoxide.http.connectTimeout=10000",
    "http.lowSpeedLimit=1024",
    "http.lowSpeedTime=60",
    // gix maps GIT_CURL_VERBOSE and GIT_TRACE_PACKET from the environment
    // onto these; curl's verbose log prints the Authorization header.
    "gitoxide.http.verbose=false",
    "gitoxide.tracePacket=false",
];

/// A repository handle with the network settings for one remote, and the
/// private ssh folder that must outlive the connection.
struct Network {
    repo: gix::Repository,
    ssh: Option<Session>,
}

/// Open the mirror with the in-memory network settings for `remote` applied.
fn network_repo(mirror: &Mirror, remote: &Remote) -> Result<Network, SourceError> {
    refuse_cleartext_credentials(remote)?;
    let mut repo = mirror.open()?;
    let mut settings: Vec<String> = NETWORK_OVERRIDES.iter().map(|s| s.to_string()).collect();
    if let Some(ca) = &remote.ca_file {
        settings.push(format!("http.sslCAInfo={}", ca.display()));
    }
    let ssh = match (&remote.auth, validate::url(&remote.url)) {
        (Auth::Ssh(auth), _) => Some(auth),
        (_, Ok(UrlKind::Ssh)) => Some(&super::SshAuth::default()),
        _ => None,
    };
    let ssh = ssh
        .map(Session::new)
        .transpose()
        .map_err(|e| mirror.error_msg(format!("cannot prepare the ssh client: {e}")))?;
    // A pack entry may claim any unpacked size; gix allocates what it
    // claims. No object may unpack to more than a whole pack may be.
    settings.push(format!(
        "gitoxide.objects.allocLimit={}",
        remote.limits.max_pack_bytes
    ));
    let mut config = repo.config_snapshot_mut();
    config
        .append_config(
            settings.iter().map(String::as_str),
            gix::config::Source::Api,
        )
        .map_err(|e| mirror.error(&e))?;
    config.commit().map_err(|e| mirror.error(&e))?;
    Ok(Network { repo, ssh })
}

/// gix is built to send credentials over plain http (for loopback test
/// servers and local proxies); this is where every other host is refused.
fn refuse_cleartext_credentials(remote: &Remote) -> Result<(), SourceError> {
    let cleartext = matches!(remote.auth, Auth::Basic { .. })
        && validate::url(&remote.url) == Ok(UrlKind::Http)
        && !validate::url_host(&remote.url).is_some_and(validate::is_loopback_host);
    if cleartext {
        return Err(SourceError::AuthRefused {
            url: remote.url.clone(),
            cause: "credentials are never sent over plain http:// except to a loopback address; use https://".into(),
        });
    }
    Ok(())
}

/// A remote that exists only in memory, so the URL never lands in the
/// mirror's config. Tags are never fetched implicitly: only what `specs` names.
fn anonymous_remote<'repo>(
    repo: &'repo gix::Repository,
    remote: &Remote,
    specs: &[String],
) -> Result<gix::Remote<'repo>, SourceError> {
    let unreachable = |e: gix::Error| unreachable(remote, &e);
    repo.remote_at(remote.url.as_str())
        .map_err(unreachable)?
        .with_refspecs(specs.iter().map(String::as_str), Direction::Fetch)
        .map_err(unreachable)
        .map(|r| r.with_fetch_tags(Tags::None))
}

/// What the credential callback saw, to tell "no credentials configured"
/// from "credentials refused" when the server says no.
#[derive(Clone, Default)]
struct AuthTrace(Arc<AtomicU8>);

// 0: the server never asked.
const ASKED_NONE_GIVEN: u8 = 1;
const GIVEN: u8 = 2;

/// Open the transport with a credential callback that answers only from the
/// repo's own references: no credential helper, prompt or stored password
/// of the host is ever consulted, and nothing is stored or written.
fn connect<'a, 'repo>(
    anonymous: &'a gix::Remote<'repo>,
    remote: &Remote,
    net: &Network,
    guard: &Arc<Guard>,
    trace: &AuthTrace,
) -> Result<Connection<'a, 'repo>, SourceError> {
    // Whatever this connection sends first is its ref list.
    guard.listing();
    let connection = match super::transport::network(anonymous, remote, net.ssh.as_ref(), guard)? {
        Some(transport) => anonymous.to_connection_with_transport(transport),
        None => anonymous
            .connect(Direction::Fetch)
            .map_err(|e| unreachable(remote, &e))?,
    };
    let identity = match &remote.auth {
        Auth::Basic { username, password } => Some((username.clone(), password.clone())),
        _ => None,
    };
    let seen = trace.0.clone();
    let origin = origin_of(&remote.url);
    Ok(connection.with_credentials(move |action| match action {
        // Credentials go to the configured scheme, host and port only: a
        // redirect to anywhere else gets none.
        Action::Get(ctx) if identity.is_some() && origin_of_context(&ctx) != origin => {
            seen.store(ASKED_NONE_GIVEN, Ordering::Relaxed);
            Ok(None)
        }
        Action::Get(ctx) => match &identity {
            Some((username, password)) => {
                seen.store(GIVEN, Ordering::Relaxed);
                Ok(Some(gix::credentials::protocol::Outcome {
                    identity: gix::sec::identity::Account {
                        username: username.expose().to_string(),
                        password: password.expose().to_string(),
                        oauth_refresh_token: None,
                    },
                    next: NextAction::from(ctx),
                }))
            }
            None => {
                seen.store(ASKED_NONE_GIVEN, Ordering::Relaxed);
                Ok(None)
            }
        },
        Action::Store(_) | Action::Erase(_) => Ok(None),
    }))
}

/// Scheme, host and port (the scheme's default when none is given).
type Origin = Option<(String, String, u16)>;

fn default_port(scheme: &str) -> u16 {
    match scheme {
        "https" => 443,
        "http" => 80,
        "git" => 9418,
        _ => 22,
    }
}

/// The origin of the configured URL.
fn origin_of(url: &str) -> Origin {
    let parsed = gix::url::parse(gix::bstr::BStr::new(url)).ok()?;
    let scheme = parsed.scheme.as_str().to_ascii_lowercase();
    let host = parsed.host()?.to_ascii_lowercase();
    let port = parsed.port.unwrap_or_else(|| default_port(&scheme));
    Some((scheme, host, port))
}

/// The origin a credential request is for (`protocol` and `host[:port]`).
fn origin_of_context(ctx: &gix::credentials::protocol::Context) -> Origin {
    if let Some(url) = &ctx.url
        && let Some(origin) = origin_of(&url.to_string())
    {
        return Some(origin);
    }
    let scheme = ctx.protocol.as_deref()?.to_ascii_lowercase();
    let host = ctx.host.as_deref()?.to_ascii_lowercase();
    let (host, port) = match host.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => match p.parse() {
            Ok(p) => (h.trim_matches(['[', ']']).to_string(), p),
            Err(_) => (host.clone(), default_port(&scheme)),
        },
        _ => (host.clone(), default_port(&scheme)),
    };
    Some((scheme, host, port))
}

/// Turn a failure to connect or list refs into the error a user can act on:
/// host key, authentication, or reachability.
fn connect_failed(
    remote: &Remote,
    net: &Network,
    trace: &AuthTrace,
    e: &(dyn std::error::Error + 'static),
) -> SourceError {
    let url = remote.url.clone();
    if let Some(problem) = net.ssh.as_ref().and_then(Session::problem) {
        return match problem {
            Problem::HostKeyUnknown(cause) | Problem::HostKeyChanged(cause) => {
                SourceError::HostKey { url, cause }
            }
            Problem::AuthRefused(cause) => SourceError::AuthRefused { url, cause },
            Problem::Unreachable(cause) => SourceError::Unreachable { url, cause },
            Problem::Other(line) => SourceError::Unreachable {
                url,
                cause: format!("{}: ssh said: {line}", one_line(e)),
            },
        };
    }
    match trace.0.load(Ordering::Relaxed) {
        ASKED_NONE_GIVEN => SourceError::AuthRefused {
            url,
            cause: "the server asks for credentials and none are configured: pass --username and --password as env:VAR or file:PATH".into(),
        },
        GIVEN if is_permission_denied(e) => SourceError::AuthRefused {
            url,
            cause: "the server did not accept the username and password (check --username and --password)".into(),
        },
        _ if is_permission_denied(e) => SourceError::AuthRefused {
            url,
            cause: one_line(e),
        },
        _ => unreachable(remote, e),
    }
}

fn is_permission_denied(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(e);
    while let Some(err) = next {
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::PermissionDenied
        {
            return true;
        }
        next = err.source();
    }
    let text = one_line(e);
    text.contains("were not accepted") || text.contains("Permission denied")
}

fn unreachable(remote: &Remote, e: &(dyn std::error::Error + 'static)) -> SourceError {
    SourceError::Unreachable {
        url: remote.url.clone(),
        cause: one_line(e),
    }
}

fn fetch_failed(remote: &Remote, e: &(dyn std::error::Error + 'static)) -> SourceError {
    // gix refuses an object that would unpack past `gitoxide.objects.allocLimit`.
    if gix::error::classify(e).is_resource_exhausted() {
        return SourceError::TooLarge {
            url: remote.url.clone(),
            what: "an object in the pack",
            limit: super::format_size(remote.limits.max_pack_bytes),
            var: super::MAX_PACK_BYTES_VAR,
        };
    }
    SourceError::Fetch {
        url: remote.url.clone(),
        git_ref: remote.git_ref.to_string(),
        cause: one_line(e),
    }
}

fn not_found(remote: &Remote) -> SourceError {
    SourceError::RefNotFound {
        url: remote.url.clone(),
        git_ref: remote.git_ref.to_string(),
    }
}

/// The refspec for a branch or tag: forced, so a force-pushed branch or a
/// moved tag is followed.
fn refspec(git_ref: &GitRef) -> String {
    let local = git_ref.local_ref();
    match git_ref {
        GitRef::Branch(b) => format!("+refs/heads/{b}:{local}"),
        GitRef::Tag(t) => format!("+refs/tags/{t}:{local}"),
        GitRef::Commit(c) => format!("+{c}:{local}"),
    }
}

/// How the shallow boundary moves: `DepthAtRemote(d)` re-cuts history at the
/// new tip, which is what makes a force-push work in a shallow mirror (the
/// old boundary is irrelevant); full history undoes any earlier shallowness.
fn shallow(repo: &gix::Repository, depth: Option<NonZeroU32>) -> Shallow {
    match depth {
        Some(d) => Shallow::DepthAtRemote(d),
        None if repo.is_shallow().unwrap_or(true) => Shallow::undo(),
        None => Shallow::NoChange,
    }
}

/// The id a local ref points at directly (a tag object for annotated tags).
fn local_target(repo: &gix::Repository, name: &str) -> Option<gix::ObjectId> {
    repo.try_find_reference(name)
        .ok()
        .flatten()
        .and_then(|r| r.try_id().map(|id| id.detach()))
}

/// The commit a local ref resolves to after peeling tags.
fn local_commit(mirror: &Mirror, remote: &Remote) -> Result<String, SourceError> {
    mirror.resolve_local(&remote.git_ref).map_err(|e| match e {
        // A fetch that "succeeded" without writing our ref means the remote
        // did not send it.
        SourceError::NotFetched { .. } => not_found(remote),
        other => other,
    })
}

pub(super) fn fetch(mirror: &Mirror, remote: &Remote) -> Result<super::Fetched, SourceError> {
    let guard = Guard::new(remote.limits);
    let _watchdog = watch(&guard);
    let result = match &remote.git_ref {
        GitRef::Commit(sha) => fetch_pin(mirror, remote, sha, &guard),
        _ => fetch_ref(mirror, remote, &guard),
    };
    guard.judge(&remote.url, result)
}

fn fetch_ref(
    mirror: &Mirror,
    remote: &Remote,
    guard: &Arc<Guard>,
) -> Result<super::Fetched, SourceError> {
    let net = network_repo(mirror, remote)?;
    let repo = &net.repo;
    let trace = AuthTrace::default();
    let local = remote.git_ref.local_ref();
    let anonymous = anonymous_remote(repo, remote, &[refspec(&remote.git_ref)])?;
    let prepare = connect(&anonymous, remote, &net, guard, &trace)?
        .prepare_fetch(gix::progress::Discard, ref_map::Options::default())
        .map_err(|e| connect_failed(remote, &net, &trace, &e))?;
    let remote_id = prepare
        .ref_map()
        .mappings
        .iter()
        .find(|m| m.local.as_ref().is_some_and(|l| *l == local))
        .and_then(|m| m.remote.as_id())
        .map(ToOwned::to_owned)
        .ok_or_else(|| not_found(remote))?;

    // The no-op fast path: gix always negotiates when fetching shallow, so
    // compare the advertised id with our tracking ref ourselves and hang up
    // (dropping `prepare` flushes and closes the connection).
    if local_target(repo, &local) == Some(remote_id) && repo.has_object(remote_id) {
        drop(prepare);
        return Ok(super::Fetched {
            commit: local_commit(mirror, remote)?,
            transferred: false,
        });
    }

    // gix writes the pack first and the refs last, so a failure here leaves
    // the previous refs (and every object they reach) untouched.
    guard.receiving();
    let outcome = prepare
        .with_shallow(shallow(repo, remote.depth))
        .receive(gix::progress::Discard, &guard.interrupt)
        .map_err(|e| fetch_failed(remote, &e))?;
    Ok(super::Fetched {
        commit: local_commit(mirror, remote)?,
        transferred: matches!(outcome.status, Status::Change { .. }),
    })
}

/// A pinned commit: no network at all if the mirror already has it; else
/// ask for the id directly, and if the server will not serve unadvertised
/// objects, fetch every branch and tag with full history and look again.
fn fetch_pin(
    mirror: &Mirror,
    remote: &Remote,
    sha: &str,
    guard: &Arc<Guard>,
) -> Result<super::Fetched, SourceError> {
    let id = parse_id(sha)?;
    if mirror.open()?.has_object(id) {
        return Ok(super::Fetched {
            commit: keep_pinned(mirror, remote, id)?,
            transferred: false,
        });
    }
    let net = network_repo(mirror, remote)?;
    let repo = &net.repo;
    let trace = AuthTrace::default();

    // The result does not matter: success is judged by the object being
    // there. A limit that stopped it stops the whole fetch, though.
    {
        let anonymous = anonymous_remote(repo, remote, &[refspec(&remote.git_ref)])?;
        let prepare = connect(&anonymous, remote, &net, guard, &trace)?
            .prepare_fetch(gix::progress::Discard, ref_map::Options::default())
            .map_err(|e| connect_failed(remote, &net, &trace, &e))?;
        guard.receiving();
        let refused = prepare
            .with_shallow(shallow(repo, remote.depth))
            .receive(gix::progress::Discard, &guard.interrupt);
        if let (Err(e), Some(_)) = (&refused, guard.verdict()) {
            return Err(fetch_failed(remote, e));
        }
    }
    if mirror.open()?.has_object(id) {
        return Ok(super::Fetched {
            commit: keep_pinned(mirror, remote, id)?,
            transferred: true,
        });
    }

    // Fallback: the server refused the id (uploadpack.allowAnySHA1InWant
    // off, or protocol v0). The pin may be deep in history: fetch it all.
    let specs = [
        "+refs/heads/*:refs/remotes/origin/*".to_string(),
        "+refs/tags/*:refs/tags/*".to_string(),
    ];
    let anonymous = anonymous_remote(repo, remote, &specs)?;
    let prepare = connect(&anonymous, remote, &net, guard, &trace)?
        .prepare_fetch(gix::progress::Discard, ref_map::Options::default())
        .map_err(|e| connect_failed(remote, &net, &trace, &e))?;
    guard.receiving();
    let all = prepare
        .with_shallow(shallow(repo, None))
        .receive(gix::progress::Discard, &guard.interrupt);
    if mirror.open()?.has_object(id) {
        return Ok(super::Fetched {
            commit: keep_pinned(mirror, remote, id)?,
            transferred: true,
        });
    }
    match all {
        // Every branch and tag arrived, so the remote has no such commit.
        Ok(_) => Err(not_found(remote)),
        Err(e) => Err(fetch_failed(remote, &e)),
    }
}

/// Point [`PINNED_REF`] at the pinned commit so it stays reachable, after
/// checking it is a commit.
fn keep_pinned(mirror: &Mirror, remote: &Remote, id: gix::ObjectId) -> Result<String, SourceError> {
    let repo = mirror.open()?;
    if repo.find_commit(id).is_err() {
        return Err(SourceError::Fetch {
            url: remote.url.clone(),
            git_ref: remote.git_ref.to_string(),
            cause: format!("object {id} is not a commit"),
        });
    }
    if local_target(&repo, PINNED_REF) != Some(id) {
        repo.reference(
            PINNED_REF,
            id,
            gix::refs::transaction::PreviousValue::Any,
            "gitsync: pin",
        )
        .map_err(|e| mirror.error(&e))?;
    }
    Ok(id.to_string())
}

pub(super) fn probe(mirror: &Mirror, remote: &Remote) -> Result<String, SourceError> {
    let guard = Guard::new(remote.limits);
    let _watchdog = watch(&guard);
    let result = probe_refs(mirror, remote, &guard);
    guard.judge(&remote.url, result)
}

fn probe_refs(mirror: &Mirror, remote: &Remote, guard: &Arc<Guard>) -> Result<String, SourceError> {
    let net = network_repo(mirror, remote)?;
    let trace = AuthTrace::default();
    // For a pin, listing the branches proves the remote answers; servers do
    // not advertise arbitrary commits, so there is nothing more to check.
    let spec = match &remote.git_ref {
        GitRef::Commit(_) => "+refs/heads/*:refs/remotes/origin/*".to_string(),
        other => refspec(other),
    };
    let anonymous = anonymous_remote(&net.repo, remote, std::slice::from_ref(&spec))?;
    let (map, _handshake) = connect(&anonymous, remote, &net, guard, &trace)?
        .ref_map(gix::progress::Discard, ref_map::Options::default())
        .map_err(|e| connect_failed(remote, &net, &trace, &e))?;
    if let GitRef::Commit(sha) = &remote.git_ref {
        return Ok(sha.clone());
    }
    let local = remote.git_ref.local_ref();
    let mapping = map
        .mappings
        .iter()
        .find(|m| m.local.as_ref().is_some_and(|l| *l == local))
        .ok_or_else(|| not_found(remote))?;
    let gix::protocol::fetch::refmap::Source::Ref(r) = &mapping.remote else {
        return Err(not_found(remote));
    };
    // Annotated tags advertise the tag object and the commit it peels to.
    match r.unpack() {
        (_, _, Some(peeled)) => Ok(peeled.to_string()),
        (_, Some(direct), None) => Ok(direct.to_string()),
        (_, None, None) => Err(not_found(remote)),
    }
}
