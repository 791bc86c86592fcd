"""A real IMAP server for the tests: Debian's dovecot, run unprivileged from a generated config.

Each server lives in its own temporary directory (config, TLS certificate,
mail, sockets) and listens on a free loopback port with implicit TLS.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


@dataclass(frozen=True)
class ImapServer:
    host: str
    port: int
    ca_file: Path
    root: Path

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_file))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _certificate(root: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = root / "cert.pem", root / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def _oauth2(root: Path, tokeninfo_url: str | None) -> tuple[str, str]:
    """(extra mechanisms, passdb) for bearer tokens checked at ``tokeninfo_url`` (our stand-in provider)."""
    if tokeninfo_url is None:
        return "", ""
    (root / "oauth2.conf.ext").write_text(f"tokeninfo_url = {tokeninfo_url}\nusername_attribute = email\n")
    return " xoauth2 oauthbearer", f"""
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {root}/oauth2.conf.ext
}}"""


def _config(root: Path, port: int, user: str, cert: Path, key: Path, tokeninfo_url: str | None = None) -> str:
    mechanisms, oauth2_passdb = _oauth2(root, tokeninfo_url)
    return f"""
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
default_internal_user = {user}
default_internal_group = {user if user != "nobody" else "nogroup"}
default_login_user = {user}
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = no
auth_mechanisms = plain login{mechanisms}
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u {root}/users
}}{oauth2_passdb}
userdb {{
  driver = static
  args = uid={pwd.getpwnam(user).pw_uid} gid={pwd.getpwnam(user).pw_gid} home={root}/home/%u
}}
namespace inbox {{
  inbox = yes
  mailbox Sent {{
    special_use = \\Sent
    auto = create
  }}
}}
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""


@contextmanager
def dovecot(root: Path, users: dict[str, str], *, tokeninfo_url: str | None = None) -> Iterator[ImapServer]:
    """Start dovecot in ``root`` with the given users (name → password); stop it afterwards.

    With ``tokeninfo_url``, XOAUTH2 logins are accepted too: dovecot asks that URL (the token
    appended) whether a bearer token is valid and whose it is, as it would ask Google."""
    # Dovecot refuses to run its login processes as root: as root, the server runs as nobody.
    user = "nobody" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    for sub in ("run", "state", "mail", "home"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    cert, key = _certificate(root)
    (root / "users").write_text("".join(f"{name}:{{PLAIN}}{password}\n" for name, password in users.items()))
    port = _free_port()
    config = root / "dovecot.conf"
    config.write_text(_config(root, port, user, cert, key, tokeninfo_url))
    if os.geteuid() == 0:
        info = pwd.getpwnam(user)
        for path in [root, *root.rglob("*")]:
            os.chown(path, info.pw_uid, info.pw_gid)
    proc = subprocess.Popen([DOVECOT, "-F", "-c", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        _wait_for(port, proc, root)
        yield ImapServer("localhost", port, cert, root)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_for(port: int, proc: subprocess.Popen[bytes], root: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            output = proc.stdout.read().decode() if proc.stdout else ""
            log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
            raise RuntimeError(f"dovecot stopped at start:\n{output}\n{log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("dovecot did not listen within 20 s")
