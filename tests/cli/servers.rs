//! Real git servers on 127.0.0.1 for the transport tests, each on a free
//! port in its own temporary folder and stopped on drop: `git daemon`
//! (git://), `git http-backend` behind nginx + fcgiwrap with basic auth
//! (http:// and https:// with a test CA), OpenSSH's `sshd`, and a TCP proxy
//! that can cut a connection after N bytes.
//!
//! A missing server program skips the test with a loud `SKIPPED:` line,
//! except under CI (`CI` set), where it fails.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Find `program` on PATH or in the sbin folders servers live in. Missing:
/// panic under CI, else say so loudly and return `None` (the test returns).
pub fn require(program: &str, test: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    dirs.extend(["/usr/sbin", "/sbin", "/usr/local/sbin"].map(PathBuf::from));
    if let Some(found) = dirs.iter().map(|d| d.join(program)).find(|p| p.is_file()) {
        return Some(found);
    }
    let message = format!(
        "SKIPPED: {test}: '{program}' is not installed (apt-get install openssh-server openssh-client nginx fcgiwrap)"
    );
    if std::env::var_os("CI").is_some() {
        panic!("{message}; under CI these tests must run");
    }
    eprintln!("\n!!!!!!!! {message} !!!!!!!!\n");
    None
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind an ephemeral port")
        .port()
}

fn wait_for_port(port: u16, child: &mut Child, what: &str, log: &Path) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "{what} exited ({status}) before listening: {}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!(
        "{what} did not listen on port {port}: {}",
        std::fs::read_to_string(log).unwrap_or_default()
    );
}

#[track_caller]
fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run a setup command");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A child process killed and reaped on drop.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(cmd: &mut Command, log: &Path) -> Child {
    let file = std::fs::File::create(log).unwrap();
    cmd.stdin(Stdio::null())
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"))
}

/// A folder of bare repositories served by the servers below.
pub struct ServerRoot {
    pub dir: tempfile::TempDir,
}

impl ServerRoot {
    pub fn new() -> ServerRoot {
        let dir = tempfile::Builder::new()
            .prefix("gitsync-servers")
            .tempdir()
            .unwrap();
        std::fs::create_dir_all(dir.path().join("repos")).unwrap();
        ServerRoot { dir }
    }

    pub fn repos(&self) -> PathBuf {
        self.dir.path().join("repos")
    }

    /// Mirror-push every ref of the work repo at `from` to `repos/NAME.git`.
    pub fn publish(&self, from: &Path, name: &str) {
        let bare = self.repos().join(format!("{name}.git"));
        if !bare.exists() {
            run(Command::new("git")
                .args(["init", "-q", "--bare", "-b", "main"])
                .arg(&bare));
            // Serve unadvertised commits too, like GitHub does for pins.
            run(Command::new("git").arg("--git-dir").arg(&bare).args([
                "config",
                "uploadpack.allowAnySHA1InWant",
                "true",
            ]));
            // Tests rename the served branch away to make a ref go missing.
            run(Command::new("git").arg("--git-dir").arg(&bare).args([
                "config",
                "receive.denyDeleteCurrent",
                "ignore",
            ]));
            std::fs::write(bare.join("git-daemon-export-ok"), "").unwrap();
        }
        run(Command::new("git")
            .current_dir(from)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .args(["push", "-q", "--mirror"])
            .arg(&bare));
    }
}

/// `git daemon` serving `root/repos` over git://.
pub struct GitDaemon {
    _process: Process,
    pub port: u16,
}

impl GitDaemon {
    pub fn start(root: &ServerRoot, test: &str) -> Option<GitDaemon> {
        Self::start_on(root, free_port(), test)
    }

    /// Start on a given port (to bring a stopped server back).
    pub fn start_on(root: &ServerRoot, port: u16, test: &str) -> Option<GitDaemon> {
        require("git", test)?;
        let log = root.dir.path().join(format!("daemon-{port}.log"));
        // `git daemon` would run git-daemon as a child that outlives a kill.
        let exec_path = run(Command::new("git").arg("--exec-path"));
        let mut child = spawn(
            Command::new(PathBuf::from(exec_path.trim()).join("git-daemon"))
                .arg("--export-all")
                .arg("--reuseaddr")
                .arg(format!("--base-path={}", root.repos().display()))
                .arg("--listen=127.0.0.1")
                .arg(format!("--port={port}"))
                .arg(root.repos()),
            &log,
        );
        wait_for_port(port, &mut child, "git daemon", &log);
        Some(GitDaemon {
            _process: Process(child),
            port,
        })
    }

    pub fn url(&self, name: &str) -> String {
        format!("git://127.0.0.1:{}/{name}.git", self.port)
    }
}

/// nginx + fcgiwrap + `git http-backend`, every request behind HTTP basic
/// auth for one user; plain http and, with a test CA, https.
pub struct HttpServer {
    _nginx: Process,
    _fcgiwrap: Process,
    pub port: u16,
    pub tls_port: u16,
    /// The test CA's certificate (PEM), to pass as --ca-file.
    pub ca_file: PathBuf,
}

impl HttpServer {
    pub fn start(root: &ServerRoot, user: &str, token: &str, test: &str) -> Option<HttpServer> {
        let nginx = require("nginx", test)?;
        let fcgiwrap = require("fcgiwrap", test)?;
        require("openssl", test)?;
        let dir = root.dir.path().join("http");
        std::fs::create_dir_all(dir.join("tmp")).unwrap();
        // The password travels on stdin, never on a command line.
        let mut openssl = Command::new("openssl")
            .args(["passwd", "-apr1", "-stdin"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(openssl.stdin.take().unwrap(), "{token}").unwrap();
        let out = openssl.wait_with_output().unwrap();
        assert!(out.status.success(), "openssl passwd failed");
        let hash = String::from_utf8(out.stdout).unwrap();
        std::fs::write(dir.join("htpasswd"), format!("{user}:{}\n", hash.trim())).unwrap();
        let ca_file = test_ca(&dir);

        let socket = dir.join("fcgi.sock");
        let log = dir.join("fcgiwrap.log");
        let fcgi = spawn(
            Command::new(fcgiwrap)
                .arg("-s")
                .arg(format!("unix:{}", socket.display())),
            &log,
        );
        let fcgi = Process(fcgi);
        let start = Instant::now();
        while !socket.exists() && start.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(socket.exists(), "fcgiwrap did not create its socket");

        let (port, tls_port) = (free_port(), free_port());
        let backend = PathBuf::from(run(Command::new("git").arg("--exec-path")).trim())
            .join("git-http-backend");
        let d = dir.display();
        let conf = format!(
            r#"daemon off;
# One process, so that killing it stops the server.
master_process off;
user root;
pid {d}/nginx.pid;
error_log {d}/error.log info;
events {{ worker_connections 64; }}
http {{
  access_log {d}/access.log;
  client_body_temp_path {d}/tmp/body;
  fastcgi_temp_path {d}/tmp/fastcgi;
  proxy_temp_path {d}/tmp/proxy;
  uwsgi_temp_path {d}/tmp/uwsgi;
  scgi_temp_path {d}/tmp/scgi;
  server {{
    listen 127.0.0.1:{port};
    listen 127.0.0.1:{tls_port} ssl;
    ssl_certificate {d}/server.crt;
    ssl_certificate_key {d}/server.key;
    location / {{
      auth_basic "git";
      auth_basic_user_file {d}/htpasswd;
      client_max_body_size 0;
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME {backend};
      fastcgi_param GIT_PROJECT_ROOT {repos};
      fastcgi_param GIT_HTTP_EXPORT_ALL "";
      fastcgi_param PATH_INFO $uri;
      fastcgi_param REMOTE_USER $remote_user;
      fastcgi_param GIT_PROTOCOL $http_git_protocol;
      fastcgi_pass unix:{socket};
    }}
  }}
}}
"#,
            backend = backend.display(),
            repos = root.repos().display(),
            socket = socket.display(),
        );
        std::fs::write(dir.join("nginx.conf"), conf).unwrap();
        let log = dir.join("nginx.log");
        let mut child = spawn(
            Command::new(nginx)
                .arg("-p")
                .arg(&dir)
                .arg("-c")
                .arg(dir.join("nginx.conf"))
                .arg("-e")
                .arg(dir.join("error.log")),
            &log,
        );
        wait_for_port(port, &mut child, "nginx", &log);
        Some(HttpServer {
            _nginx: Process(child),
            _fcgiwrap: fcgi,
            port,
            tls_port,
            ca_file,
        })
    }

    pub fn url(&self, name: &str) -> String {
        format!("http://127.0.0.1:{}/{name}.git", self.port)
    }

    pub fn https_url(&self, name: &str) -> String {
        format!("https://127.0.0.1:{}/{name}.git", self.tls_port)
    }
}

/// A CA and a server certificate for 127.0.0.1 signed by it; returns the CA file.
fn test_ca(dir: &Path) -> PathBuf {
    let openssl = |args: &[&str]| {
        run(Command::new("openssl").current_dir(dir).args(args));
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "2",
        "-subj",
        "/CN=gitsync test CA",
    ]);
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    std::fs::write(
        dir.join("san.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.crt",
        "-days",
        "2",
        "-extfile",
        "san.ext",
    ]);
    dir.join("ca.crt")
}

/// OpenSSH's sshd on a high port with its own host key, letting the current
/// user in with the keys given to [`SshServer::authorize`].
pub struct SshServer {
    _process: Process,
    pub port: u16,
    dir: PathBuf,
    pub user: String,
}

/// A client key pair made with ssh-keygen (the public half is authorized).
pub struct SshKey {
    pub private: PathBuf,
}

impl SshServer {
    pub fn start(root: &ServerRoot, test: &str) -> Option<SshServer> {
        let sshd = require("sshd", test)?;
        require("ssh", test)?;
        require("ssh-keygen", test)?;
        let dir = root.dir.path().join("ssh");
        std::fs::create_dir_all(&dir).unwrap();
        // sshd insists on its privilege separation folder.
        let _ = std::fs::create_dir_all("/run/sshd");
        run(Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-f"])
            .arg(dir.join("host_key")));
        std::fs::write(dir.join("authorized_keys"), "").unwrap();
        let user = run(Command::new("id").arg("-un")).trim().to_string();
        let port = free_port();
        let d = dir.display();
        std::fs::write(
            dir.join("sshd_config"),
            format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {d}/host_key\nAuthorizedKeysFile {d}/authorized_keys\nPidFile {d}/sshd.pid\nStrictModes no\nUsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\nAcceptEnv GIT_PROTOCOL\n"
            ),
        )
        .unwrap();
        let log = dir.join("sshd.log");
        let mut child = spawn(
            Command::new(sshd)
                .arg("-f")
                .arg(dir.join("sshd_config"))
                .args(["-D", "-e"]),
            &log,
        );
        wait_for_port(port, &mut child, "sshd", &log);
        Some(SshServer {
            _process: Process(child),
            port,
            dir,
            user,
        })
    }

    /// Make a client key (with `passphrase`, or none when empty) and authorize it.
    pub fn authorize(&self, name: &str, passphrase: &str) -> SshKey {
        let private = self.dir.join(name);
        run(Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", passphrase, "-C", name, "-f"])
            .arg(&private));
        let public = private.with_extension("pub");
        let mut keys = std::fs::read_to_string(self.dir.join("authorized_keys")).unwrap();
        keys.push_str(&std::fs::read_to_string(&public).unwrap());
        std::fs::write(self.dir.join("authorized_keys"), keys).unwrap();
        SshKey { private }
    }

    /// The known_hosts line that pins this server's host key.
    pub fn known_hosts_line(&self) -> String {
        let key = std::fs::read_to_string(self.dir.join("host_key.pub")).unwrap();
        format!("[127.0.0.1]:{} {}", self.port, key.trim())
    }

    /// ssh:// URL of a repo under `repos`.
    pub fn url(&self, root: &ServerRoot, name: &str) -> String {
        format!(
            "ssh://{}@127.0.0.1:{}{}/{name}.git",
            self.user,
            self.port,
            root.repos().display()
        )
    }
}

/// A TCP proxy to `127.0.0.1:target` that, while a limit is set, closes
/// each connection after that many bytes from the server.
pub struct CuttingProxy {
    pub port: u16,
    limit: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl CuttingProxy {
    pub fn start(target: u16) -> CuttingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let limit = Arc::new(AtomicUsize::new(usize::MAX));
        let stop = Arc::new(AtomicBool::new(false));
        let (l, s) = (limit.clone(), stop.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if s.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(client) = client else { continue };
                let Ok(server) = TcpStream::connect(("127.0.0.1", target)) else {
                    continue;
                };
                let budget = l.load(Ordering::Relaxed);
                let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                std::thread::spawn(move || pump(c2, s2, usize::MAX));
                std::thread::spawn(move || pump(server, client, budget));
            }
        });
        CuttingProxy { port, limit, stop }
    }

    /// Cut every new connection after `bytes` from the server; `None`: never.
    pub fn cut_after(&self, bytes: Option<usize>) {
        self.limit
            .store(bytes.unwrap_or(usize::MAX), Ordering::Relaxed);
    }
}

impl Drop for CuttingProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// Copy `from` to `to` until EOF or `budget` bytes, then close both ways.
fn pump(mut from: TcpStream, mut to: TcpStream, mut budget: usize) {
    let mut buf = [0u8; 4096];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n.min(budget),
        };
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
        budget -= n;
        if budget == 0 {
            break;
        }
    }
    let _ = from.shutdown(Shutdown::Both);
    let _ = to.shutdown(Shutdown::Both);
}
