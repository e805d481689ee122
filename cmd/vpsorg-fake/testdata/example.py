"""A test in Python against vpsorg-fake, with the standard library only.

README.md ("Testing code that uses vpsorg") shows it; .ci/fake-smoke.sh runs
it against a fake it started:  python3 example.py http://127.0.0.1:PORT TOKEN
"""
import json
import sys
import urllib.request

root, token = sys.argv[1], sys.argv[2]
api = root + "/api/v1"


def call(method, url, body=None, auth=True):
    req = urllib.request.Request(url, method=method)
    if auth:
        req.add_header("Authorization", "Bearer " + token)
    if body is not None:
        req.add_header("Content-Type", "application/json")
        req.data = json.dumps(body).encode()
    with urllib.request.urlopen(req, timeout=5) as resp:
        raw = resp.read()
        return json.loads(raw) if raw else None


backup = call("POST", api + "/backups/", {"server_id": 12345, "description": "from python"})
assert backup["status"] == "in_progress", backup
# The control API takes no token: force the backup to fail.
call("PUT", f"{root}/_fake/backups/{backup['id']}/status", {"status": "failed"}, auth=False)
manual = call("GET", api + "/backups/?server_id=12345&backup_type=manual")["results"]
assert [b["status"] for b in manual if b["id"] == backup["id"]] == ["failed"], manual
call("POST", root + "/_fake/reset", auth=False)
print("python example: ok")
