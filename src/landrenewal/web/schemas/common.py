"""What several areas share: the base model, numbers as the store gives them, GeoJSON."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

# A figure that is whole when it is whole (``3``) and fractional otherwise (``2.5``), as the
# analysis writes its numbers; a plain ``float`` would turn 3 into 3.0.
Number = int | float
# A (Chinese, English) pair of names.
Pair = tuple[str, str]
# A table row whose columns depend on the list or the record (each list says its columns).
Row = dict[str, Any]


class Schema(BaseModel):
    """A response object: every field declared, none dropped (see the package's docstring)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class RequestBody(BaseModel):
    """A request's JSON body: exactly the declared fields, each of its declared type. Lax parsing would
    take ``"active": 0`` for false and a misspelt field for nothing: both are refused (422)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Geometry(Schema):
    """GeoJSON 几何（经纬度，WGS 84）。"""

    type: str = Field(description="几何类型，如 Polygon、MultiPolygon")
    coordinates: list[Any] = Field(description="坐标（经度、纬度）")


P = TypeVar("P", bound=BaseModel)


class Feature(Schema, Generic[P]):
    type: str = Field(description="恒为 Feature")
    properties: P
    geometry: Geometry | None


class FeatureCollection(Schema, Generic[P]):
    type: str = Field(description="恒为 FeatureCollection")
    features: list[Feature[P]]


class ErrorOut(Schema):
    """错误回答：说明（中文）与原因代码。"""

    detail: str = Field(description="说明")
    reason: str = Field(description="原因代码，如 not_found、invalid、forbidden")


def binary(description: str, *media_types: str) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of an endpoint answering a file in one of ``media_types``."""
    file = {"schema": {"type": "string", "format": "binary"}}
    return {200: {"description": description, "content": {media: file for media in media_types}}}
