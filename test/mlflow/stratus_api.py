"""What the tests read back through Stratus's own API (/api/v1), to check what the MLflow client stored."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Optional


@dataclass
class StratusApi:
    url: str
    token: str

    def call(self, method: str, path: str, body: Optional[dict] = None, token: Optional[str] = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("authorization", f"Bearer {token or self.token}")
        if data is not None:
            request.add_header("content-type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                text = response.read().decode()
                return response.status, json.loads(text) if text else None
        except urllib.error.HTTPError as error:
            text = error.read().decode()
            return error.code, json.loads(text) if text else None

    def get(self, path: str) -> Any:
        status, body = self.call("GET", path)
        assert status == 200, (path, status, body)
        return body

    def run(self, run_id: str) -> dict:
        return self.get(f"/api/v1/runs/{run_id}")

    def history(self, run_id: str, key: str) -> list[dict]:
        points: list[dict] = []
        token = None
        while True:
            query = {"max_results": 10000, **({"page_token": token} if token else {})}
            page = self.get(f"/api/v1/runs/{run_id}/metrics/{urllib.parse.quote(key, safe='')}?{urllib.parse.urlencode(query)}")
            points.extend(page["points"])
            token = page.get("next_page_token")
            if not token:
                return points

    def artifacts(self, run_id: str) -> dict[str, dict]:
        listing = self.get(f"/api/v1/runs/{run_id}/artifacts?max_results=1000")
        return {artifact["path"]: artifact for artifact in listing["artifacts"]}
