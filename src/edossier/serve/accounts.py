"""Accounts of the web page: roles, argon2id password hashes, sessions (docs/serve.md#web).

Passwords are hashed with argon2id (argon2-cffi's defaults: memory-hard, salted per hash) and
re-hashed when those parameters change. A session is a random token in an HttpOnly, SameSite=Strict
cookie; the database keeps only its SHA-256, the user and the session's CSRF token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, select

from . import db
from .edo import UserError

ROLES = ("viewer", "clerk", "admin")  # viewer: read; clerk: also upload; admin: also accounts (CLI)
SESSION_HOURS = 8
MIN_PASSWORD = 10


class AccountError(UserError):
    pass


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()


def add_user(Session, name: str, role: str, password: str) -> None:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; use {', '.join(ROLES)}", f"未知角色 {role!r}；可选 {', '.join(ROLES)}")
    if not name or len(name) > 64 or not name.isprintable():
        raise AccountError("a user name is 1 to 64 printable characters", "用户名须为 1 至 64 个可打印字符")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password has at least {MIN_PASSWORD} characters", f"密码至少 {MIN_PASSWORD} 个字符")
    with Session() as s:
        user = s.scalars(select(db.User).where(db.User.name == name)).first()
        if user is None:
            s.add(db.User(name=name, role=role, password_hash=_hasher().hash(password), created=db.utcnow()))
        else:  # an existing account: new role and password, its sessions end
            user.role, user.password_hash = role, _hasher().hash(password)
            s.execute(delete(db.WebSession).where(db.WebSession.user_id == user.id))
        s.commit()


def has_users(Session) -> bool:
    with Session() as s:
        return s.scalars(select(db.User.id).limit(1)).first() is not None


def login(Session, name: str, password: str) -> tuple[str, db.User] | None:
    """(session token, user) for the right password, else None (same work either way)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    ph = _hasher()
    with Session() as s:
        user = s.scalars(select(db.User).where(db.User.name == name)).first()
        stored = user.password_hash if user else _DUMMY
        try:
            ph.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if user is None:
            return None
        if ph.check_needs_rehash(user.password_hash):
            user.password_hash = ph.hash(password)
        token = secrets.token_urlsafe(32)
        now = db.utcnow()
        s.execute(delete(db.WebSession).where(db.WebSession.expires < now))
        s.add(db.WebSession(token_sha256=_digest(token), user_id=user.id, csrf=secrets.token_urlsafe(24),
                            expires=now + dt.timedelta(hours=SESSION_HOURS)))
        s.commit()
        return token, user


def session(Session, token: str | None) -> tuple[db.User, str] | None:
    """(user, CSRF token) of a live session, or None."""
    if not token:
        return None
    with Session() as s:
        ws = s.get(db.WebSession, _digest(token))
        if ws is None or db.as_utc(ws.expires) < db.utcnow():
            return None
        user = s.get(db.User, ws.user_id)
        return (user, ws.csrf) if user else None


def logout(Session, token: str | None) -> None:
    if token:
        with Session() as s:
            s.execute(delete(db.WebSession).where(db.WebSession.token_sha256 == _digest(token)))
            s.commit()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# a hash to verify against when the user does not exist, so that the answer takes as long
_DUMMY = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$2Ti2yAe4VfMcVVxVN6ODpAo8wtyqQ4c9fcXn4H/5BwQ"
