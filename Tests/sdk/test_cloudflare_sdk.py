"""The official Cloudflare Python SDK, unchanged, against Safelist."""
import re

import cloudflare
import pytest
from cloudflare import Cloudflare

from conftest import ACCOUNT


def client(server, **kwargs):
    kwargs.setdefault("api_token", server.token)
    return Cloudflare(base_url=server.base_url, _strict_response_validation=True, **kwargs)


def body(pattern, pattern_type="EMAIL", **overrides):
    fields = dict(pattern=pattern, pattern_type=pattern_type, is_regex=False, is_trusted_sender=True,
                  is_exempt_recipient=False, is_acceptable_sender=False, verify_sender=True)
    fields.update(overrides)
    return fields


def test_create_get_edit_delete(server):
    cf = client(server)
    policies = cf.email_security.settings.allow_policies
    created = policies.create(account_id=ACCOUNT, comments="from the SDK", **body("Sdk@Example.com"))
    assert created.pattern == "sdk@example.com"
    assert created.comments == "from the SDK"
    assert created.is_trusted_sender and created.verify_sender and not created.is_regex
    assert created.created_at is not None and created.last_modified is not None

    fetched = policies.get(created.id, account_id=ACCOUNT)
    assert fetched.id == created.id and fetched.pattern == created.pattern

    edited = policies.edit(created.id, account_id=ACCOUNT, is_acceptable_sender=True, comments=None)
    assert edited.is_acceptable_sender is True
    assert edited.comments is None
    assert edited.modified_at >= created.modified_at

    deleted = policies.delete(created.id, account_id=ACCOUNT)
    assert deleted.id == created.id
    with pytest.raises(cloudflare.NotFoundError):
        policies.get(created.id, account_id=ACCOUNT)


def test_list_auto_paging_sees_every_policy_once(server):
    cf = client(server)
    policies = cf.email_security.settings.allow_policies
    posts = [body(f"page{i}.example", "DOMAIN", is_trusted_sender=False, is_exempt_recipient=True) for i in range(45)]
    result = policies.batch(account_id=ACCOUNT, deletes=[], patches=[], puts=[], posts=posts)
    made = {p.id for p in result.posts}
    assert len(made) == 45

    seen = [p.id for p in policies.list(account_id=ACCOUNT, per_page=7, is_exempt_recipient=True,
                                         order="pattern", direction="desc")]
    assert len(seen) == len(set(seen))
    assert made <= set(seen)
    patterns = [p.pattern for p in policies.list(account_id=ACCOUNT, per_page=7, is_exempt_recipient=True,
                                                  order="pattern", direction="desc")]
    assert patterns == sorted(patterns, reverse=True)

    found = list(policies.list(account_id=ACCOUNT, search="PAGE4", pattern_type="DOMAIN"))
    assert {p.pattern for p in found} == {"page4.example"} | {f"page4{i}.example" for i in range(5)}


def test_batch_deletes_patches_puts_posts(server):
    cf = client(server)
    policies = cf.email_security.settings.allow_policies
    doomed = policies.create(account_id=ACCOUNT, **body("doomed@example.com"))
    patched = policies.create(account_id=ACCOUNT, **body("patched@example.com"))
    replaced = policies.create(account_id=ACCOUNT, **body("replaced@example.com"))
    result = policies.batch(
        account_id=ACCOUNT,
        deletes=[{"id": doomed.id}],
        patches=[{"id": patched.id, "comments": "patched in batch"}],
        puts=[{"id": replaced.id, **body("203.0.113.0/24", "IP")}],
        posts=[body("posted@example.com")],
    )
    assert [d.id for d in result.deletes] == [doomed.id]
    assert result.patches[0].comments == "patched in batch"
    assert result.puts[0].pattern == "203.0.113.0/24" and result.puts[0].pattern_type == "IP"
    assert result.posts[0].pattern == "posted@example.com"
    with pytest.raises(cloudflare.NotFoundError):
        policies.get(doomed.id, account_id=ACCOUNT)


def test_errors_map_to_sdk_exceptions(server):
    cf = client(server)
    policies = cf.email_security.settings.allow_policies
    policies.create(account_id=ACCOUNT, **body("dup@example.com"))
    with pytest.raises(cloudflare.ConflictError) as conflict:
        policies.create(account_id=ACCOUNT, **body("DUP@example.com"))
    assert conflict.value.response.headers["x-should-retry"] == "false"
    with pytest.raises(cloudflare.BadRequestError) as bad:
        policies.create(account_id=ACCOUNT, **body("10.0.0.1", "IP"))
    assert "not globally reachable" in str(bad.value)

    secret = re.search(r"secret: (\S+)", server.cli("token", "create", "--permission", "read",
                                                       "--account", ACCOUNT)).group(1)
    reader = client(server, api_token=secret).email_security.settings.allow_policies
    assert any(p.pattern == "dup@example.com" for p in reader.list(account_id=ACCOUNT))
    with pytest.raises(cloudflare.PermissionDeniedError):
        reader.create(account_id=ACCOUNT, **body("nope@example.com"))
    with pytest.raises(cloudflare.PermissionDeniedError):
        list(reader.list(account_id="f" * 32))
    with pytest.raises(cloudflare.PermissionDeniedError):
        client(server, api_token="x" * 40).email_security.settings.allow_policies.get("00000000-0000-4000-8000-000000000000", account_id=ACCOUNT)


def test_global_api_key(server):
    out = server.cli("user", "create", "--email", "sdk-user@example.com", "--account", ACCOUNT)
    key = re.search(r"key: (\S+)", out).group(1)
    cf = Cloudflare(base_url=server.base_url, api_email="sdk-user@example.com", api_key=key,
                    _strict_response_validation=True)
    created = cf.email_security.settings.allow_policies.create(account_id=ACCOUNT, **body("2606:4700::/32", "IP"))
    assert created.pattern == "2606:4700::/32"
    server.cli("user", "delete", "--email", "sdk-user@example.com")
    with pytest.raises(cloudflare.PermissionDeniedError):
        cf.email_security.settings.allow_policies.get(created.id, account_id=ACCOUNT)
