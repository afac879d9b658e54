//! A hostile server for the tests: a TCP proxy on 127.0.0.1 in front of a
//! real git server that, depending on its mode, passes bytes through,
//! trickles the server's answer, or answers an http ref listing itself with
//! refs that never end.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the proxy does with the connections it accepts from now on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A plain proxy.
    Pass,
    /// Forward the server's answer `bytes` at a time, waiting `every`
    /// between them: a server that is alive but never done.
    Trickle { bytes: usize, every: Duration },
    /// Answer an http request with a `git-upload-pack` ref advertisement
    /// that never ends (the real server is not asked).
    EndlessRefs,
}

pub struct Hostile {
    pub port: u16,
    mode: Arc<Mutex<Mode>>,
    stop: Arc<AtomicBool>,
}

impl Hostile {
    /// Start in [`Mode::Pass`] in front of `127.0.0.1:target`.
    pub fn start(target: u16) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mode = Arc::new(Mutex::new(Mode::Pass));
        let stop = Arc::new(AtomicBool::new(false));
        let (m, s) = (mode.clone(), stop.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                let mode = *m.lock().unwrap();
                let stop = s.clone();
                std::thread::spawn(move || serve(client, target, mode, stop));
            }
        });
        Hostile { port, mode, stop }
    }

    pub fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    /// `scheme://127.0.0.1:PORT/NAME.git`.
    pub fn url(&self, scheme: &str, name: &str) -> String {
        format!("{scheme}://127.0.0.1:{}/{name}.git", self.port)
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn serve(client: TcpStream, target: u16, mode: Mode, stop: Arc<AtomicBool>) {
    if mode == Mode::EndlessRefs {
        endless_refs(client, &stop);
        return;
    }
    let Ok(server) = TcpStream::connect(("127.0.0.1", target)) else {
        return;
    };
    let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
    std::thread::spawn(move || pump(c2, s2, None, Arc::new(AtomicBool::new(false))));
    let pace = match mode {
        Mode::Trickle { bytes, every } => Some((bytes.max(1), every)),
        _ => None,
    };
    pump(server, client, pace, stop);
}

/// Copy `from` to `to` until either side closes, `pace` bytes at a time.
fn pump(
    mut from: TcpStream,
    mut to: TcpStream,
    pace: Option<(usize, Duration)>,
    stop: Arc<AtomicBool>,
) {
    let mut buf = [0u8; 16 * 1024];
    'copy: loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        match pace {
            None => {
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
            Some((bytes, every)) => {
                for piece in buf[..n].chunks(bytes) {
                    if stop.load(Ordering::SeqCst) || to.write_all(piece).is_err() {
                        break 'copy;
                    }
                    std::thread::sleep(every);
                }
            }
        }
    }
    let _ = from.shutdown(Shutdown::Both);
    let _ = to.shutdown(Shutdown::Both);
}

/// One pkt-line holding `data`.
fn pkt(data: &str) -> Vec<u8> {
    let mut line = format!("{:04x}", data.len() + 4).into_bytes();
    line.extend_from_slice(data.as_bytes());
    line
}

/// Read the request head, then send a smart-http v0 ref advertisement of
/// ever more branches until the client hangs up.
fn endless_refs(mut client: TcpStream, stop: &AtomicBool) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 64 * 1024 {
        match client.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let mut out = b"HTTP/1.1 200 OK\r\nContent-Type: application/x-git-upload-pack-advertisement\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n".to_vec();
    out.extend(pkt("# service=git-upload-pack\n"));
    out.extend(b"0000");
    let id = "1234567890".repeat(4);
    out.extend(pkt(&format!(
        "{id} HEAD\0multi_ack side-band-64k ofs-delta shallow symref=HEAD:refs/heads/main\n"
    )));
    if client.write_all(&out).is_err() {
        return;
    }
    let mut n: u64 = 0;
    while !stop.load(Ordering::SeqCst) {
        let mut batch = Vec::with_capacity(64 * 1024);
        while batch.len() < 60 * 1024 {
            batch.extend(pkt(&format!("{id} refs/heads/branch-{n:012}\n")));
            n += 1;
        }
        if client.write_all(&batch).is_err() {
            return;
        }
    }
}
