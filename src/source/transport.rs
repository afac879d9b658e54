//! The transports gitsync builds itself for network remotes, so that every
//! byte a server sends passes through [`Metered`] (deadline and caps): git://
//! over a socket, http(s) through gix's curl client, ssh through `ssh`.
//! Local paths and `file://` keep gix's own transport.

use super::limits::{Guard, Metered};
use super::ssh::Session;
use super::{Remote, SourceError, one_line};
use crate::validate::{self, Transport as UrlKind};
use gix::bstr::BStr;
use gix::protocol::transport::client::blocking_io::http::{self, Http, curl::Curl};
use gix::protocol::transport::client::blocking_io::{RequestWriter, SetServiceResponse, Transport};
use gix::protocol::transport::client::{self, MessageKind, TransportWithoutIO, WriteMode, git};
use gix::protocol::transport::{Protocol, Service};
use gix::url::ArgumentSafety;
use std::borrow::Cow;
use std::io::BufReader;
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::Arc;
use std::time::Duration;

/// How long a git:// socket may stay silent, whatever the deadline: the
/// server sends keep-alives every 5 s while it prepares a pack, so only a
/// dead or stuck server is silent this long.
const GIT_DAEMON_SILENCE: Duration = Duration::from_secs(60);

/// Read buffer of a pump thread.
const CHUNK: usize = 64 * 1024;

/// A transport whose reads are metered, or `None` for local remotes.
pub(super) fn network(
    anonymous: &gix::Remote<'_>,
    remote: &Remote,
    ssh: Option<&Session>,
    guard: &Arc<Guard>,
) -> Result<Option<Box<dyn Transport + Send>>, SourceError> {
    let fail = |cause: String| SourceError::Unreachable {
        url: remote.url.clone(),
        cause,
    };
    let kind = validate::url(&remote.url);
    if !matches!(
        kind,
        Ok(UrlKind::Git | UrlKind::Http | UrlKind::Https | UrlKind::Ssh)
    ) {
        return Ok(None);
    }
    let (url, version) = anonymous
        .sanitized_url_and_version(gix::remote::Direction::Fetch)
        .map_err(|e| fail(one_line(&e)))?;
    Ok(Some(match kind {
        Ok(UrlKind::Git) => git_daemon(&url, version, guard).map_err(fail)?,
        Ok(UrlKind::Ssh) => {
            let session = ssh.ok_or_else(|| fail("no ssh session was prepared".into()))?;
            ssh_process(&url, version, session, guard).map_err(fail)?
        }
        _ => Box::new(http::Transport::new_http(
            MeteredHttp {
                curl: Curl::default(),
                guard: guard.clone(),
            },
            url,
            version,
            false,
        )),
    }))
}

/// git:// on a socket with read and write timeouts (gix's own has none).
fn git_daemon(
    url: &gix::Url,
    version: Protocol,
    guard: &Arc<Guard>,
) -> Result<Box<dyn Transport + Send>, String> {
    let host = url.host().ok_or("the URL has no host")?;
    let port = url.port.unwrap_or(9418);
    let addr = (host, port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {host}: {e}"))?
        .next()
        .ok_or_else(|| format!("{host} has no address"))?;
    let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10))
        .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
    let io = |e: std::io::Error| e.to_string();
    stream
        .set_read_timeout(Some(GIT_DAEMON_SILENCE))
        .map_err(io)?;
    stream
        .set_write_timeout(Some(GIT_DAEMON_SILENCE))
        .map_err(io)?;
    let write = stream.try_clone().map_err(io)?;
    let closer = stream.try_clone().map_err(io)?;
    // Closing the socket when gix lets go also ends the pump thread.
    let read = Metered::new(BufReader::with_capacity(CHUNK, stream), guard)
        .on_drop(move || drop(closer.shutdown(Shutdown::Both)));
    Ok(Box::new(git::blocking_io::Connection::new(
        read,
        write,
        version,
        url.path.clone(),
        Some((host.to_string(), url.port)),
        git::ConnectMode::Daemon,
        false,
    )))
}

/// gix's curl client with every response's headers and body metered.
struct MeteredHttp {
    curl: Curl,
    guard: Arc<Guard>,
}

impl Http for MeteredHttp {
    type Headers = Metered;
    type ResponseBody = Metered;
    type PostBody = <Curl as Http>::PostBody;

    fn get(
        &mut self,
        url: &str,
        base_url: &str,
        headers: impl IntoIterator<Item = impl AsRef<str>>,
    ) -> gix::Result<http::GetResponse<Metered, Metered>> {
        let response = self.curl.get(url, base_url, headers)?;
        Ok(http::GetResponse {
            headers: Metered::new(response.headers, &self.guard),
            body: Metered::new(response.body, &self.guard),
        })
    }

    fn post(
        &mut self,
        url: &str,
        base_url: &str,
        headers: impl IntoIterator<Item = impl AsRef<str>>,
        body: http::PostBodyDataKind,
    ) -> gix::Result<http::PostResponse<Metered, Metered, Self::PostBody>> {
        let response = self.curl.post(url, base_url, headers, body)?;
        Ok(http::PostResponse {
            post_body: response.post_body,
            headers: Metered::new(response.headers, &self.guard),
            body: Metered::new(response.body, &self.guard),
        })
    }

    fn configure(&mut self, config: &dyn std::any::Any) -> gix::Result {
        self.curl.configure(config)
    }

    fn redirected_base_url(&self) -> Option<String> {
        self.curl.redirected_base_url()
    }
}

/// `ssh HOST git-upload-pack 'PATH'` with the session's options, its output
/// metered. Arguments are built like gix's own ssh transport builds them.
fn ssh_process(
    url: &gix::Url,
    version: Protocol,
    session: &Session,
    guard: &Arc<Guard>,
) -> Result<Box<dyn Transport + Send>, String> {
    let mut command = session
        .command()
        .map_err(|e| format!("cannot prepare the ssh client: {e}"))?;
    if version != Protocol::V1 {
        command
            .args(["-o", "SendEnv=GIT_PROTOCOL"])
            .env("GIT_PROTOCOL", format!("version={}", version as usize));
    }
    if let Some(port) = url.port {
        command.arg(format!("-p{port}"));
    }
    // A user or host that looks like an option could make ssh run a command.
    let target = match (url.user_as_argument(), url.host_as_argument()) {
        (ArgumentSafety::Usable(user), ArgumentSafety::Usable(host))
        | (ArgumentSafety::Usable(user), ArgumentSafety::Dangerous(host)) => {
            format!("{user}@{host}")
        }
        (ArgumentSafety::Absent, ArgumentSafety::Usable(host)) => host.to_string(),
        (ArgumentSafety::Dangerous(user), _) => {
            return Err(format!("the user name '{user}' looks like an ssh option"));
        }
        (_, ArgumentSafety::Dangerous(host)) => {
            return Err(format!("the host name '{host}' looks like an ssh option"));
        }
        (_, ArgumentSafety::Absent) => return Err("the URL has no host".into()),
    };
    let path = gix::url::expand_path::for_shell(url.path.clone());
    if path.first() == Some(&b'-') {
        return Err(format!("the path '{path}' looks like an option"));
    }
    let remote_command = format!("git-upload-pack {}", gix::quote::single(path.as_ref()));
    command
        .arg(target)
        .arg(remote_command)
        .env("LANG", "C")
        .env("LC_ALL", "C")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped());
    let mut child = command.spawn().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            "cannot run 'ssh': install the OpenSSH client ('ssh')".to_string()
        }
        _ => format!("cannot run 'ssh': {e}"),
    })?;
    let (Some(stdout), Some(stdin)) = (child.stdout.take(), child.stdin.take()) else {
        let _ = child.kill();
        let _ = child.wait();
        return Err("ssh started without its pipes".into());
    };
    let read = Metered::new(BufReader::with_capacity(CHUNK, stdout), guard);
    let connection = git::blocking_io::Connection::new(
        read,
        stdin,
        version,
        path,
        None::<(String, Option<u16>)>,
        git::ConnectMode::Process,
        false,
    )
    .custom_url(Some(url.to_bstring()));
    Ok(Box::new(SshTransport { connection, child }))
}

/// The git protocol over an `ssh` child process, killed when the transport
/// is dropped (a stuck server must not keep it running).
struct SshTransport {
    connection: git::blocking_io::Connection<Metered, ChildStdin>,
    child: Child,
}

impl Drop for SshTransport {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl TransportWithoutIO for SshTransport {
    fn to_url(&self) -> Cow<'_, BStr> {
        self.connection.to_url()
    }

    fn connection_persists_across_multiple_requests(&self) -> bool {
        true
    }

    fn configure(&mut self, _config: &dyn std::any::Any) -> gix::Result {
        Ok(())
    }
}

impl Transport for SshTransport {
    fn handshake<'a>(
        &mut self,
        service: Service,
        extra_parameters: &'a [(&'a str, Option<&'a str>)],
    ) -> Result<SetServiceResponse<'_>, client::Error> {
        self.connection.handshake(service, extra_parameters)
    }

    fn request(
        &mut self,
        write_mode: WriteMode,
        on_into_read: MessageKind,
        trace: bool,
    ) -> Result<RequestWriter<'_>, client::Error> {
        self.connection.request(write_mode, on_into_read, trace)
    }
}
