"""A local SMTP server for the Mail tests, built on aiosmtpd.

It listens on 127.0.0.1 on a port the kernel picks and prints "listening PORT" on
stdout once it accepts connections. It stores each accepted message in --folder as
N.eml, the content exactly as received after the server removed the dot-stuffing, and
N.json, with the envelope sender, the recipients, whether TLS was active and the login
used. Each file is written under a temporary name and renamed, so the test never reads
half a file. The server runs until the test sends SIGTERM.
"""

import argparse
import asyncio
import json
import os
import signal
import socket
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Recorder:
    def __init__(self, folder, reject_recipient, defer_recipient, drop_recipient):
        self.folder = folder
        self.reject_recipient = reject_recipient
        self.defer_recipient = defer_recipient
        self.drop_recipient = drop_recipient
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.drop_recipient:
            # abort() closes the socket at once, without a TLS close_notify.
            server.transport.abort()
            return "421 closing"
        if address == self.reject_recipient:
            return "550 5.1.1 No such user here"
        if address == self.defer_recipient:
            return "450 4.2.1 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.folder, str(self.count))
        transport = server.transport
        details = {
            "mail_from": envelope.mail_from,
            "mail_options": envelope.mail_options,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": transport is not None and transport.get_extra_info("ssl_object") is not None,
            "login": session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None,
            "helo": session.host_name,
        }
        write_atomically(base + ".eml", envelope.original_content)
        write_atomically(base + ".json", json.dumps(details).encode())
        return "250 2.0.0 Message accepted"


def write_atomically(path, data):
    temporary = path + ".tmp"
    with open(temporary, "wb") as file:
        file.write(data)
    os.rename(temporary, path)


def make_authenticator(user, password):
    def authenticate(server, session, envelope, mechanism, auth_data):
        accepted = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == user
            and auth_data.password.decode() == password
        )
        # handled=False makes aiosmtpd send its own 535 reply on failure.
        return AuthResult(success=accepted, handled=False, auth_data=auth_data if accepted else None)

    return authenticate


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--folder", required=True)
    parser.add_argument("--certificate", help="PEM certificate; enables STARTTLS, or implicit TLS with --implicit-tls")
    parser.add_argument("--key", help="PEM private key for --certificate")
    parser.add_argument("--implicit-tls", action="store_true")
    parser.add_argument("--user", help="accept AUTH PLAIN (after TLS) for this user")
    parser.add_argument("--password")
    parser.add_argument("--reject-recipient", help="answer 550 to RCPT TO for this address")
    parser.add_argument("--defer-recipient", help="answer 450 to RCPT TO for this address")
    parser.add_argument("--drop-recipient", help="close the connection abruptly at RCPT TO for this address")
    parser.add_argument("--size-limit", type=int, help="announce and enforce this SIZE limit")
    arguments = parser.parse_args()

    context = None
    if arguments.certificate:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(arguments.certificate, arguments.key)

    handler = Recorder(arguments.folder, arguments.reject_recipient, arguments.defer_recipient, arguments.drop_recipient)
    options = {"hostname": "smtp.test.invalid"}
    if arguments.size_limit:
        options["data_size_limit"] = arguments.size_limit
    if context is not None and not arguments.implicit_tls:
        options["tls_context"] = context
    if arguments.user:
        options["authenticator"] = make_authenticator(arguments.user, arguments.password)
        options["auth_require_tls"] = True

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(
        loop.create_server(
            lambda: SMTP(handler, loop=loop, **options),
            sock=listener,
            ssl=context if arguments.implicit_tls else None,
        )
    )
    # A child process inherits the signal mask of the thread that started it, and the
    # test runner's threads block SIGTERM. The test stops this server with SIGTERM.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    print(f"listening {port}", flush=True)
    try:
        loop.run_forever()
    finally:
        server.close()


if __name__ == "__main__":
    sys.exit(main())
