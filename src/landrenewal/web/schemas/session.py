"""Who is logged in."""

from __future__ import annotations

from pydantic import Field

from landrenewal.web.schemas.common import Schema


class UserOut(Schema):
    username: str = Field(description="用户名")
    display_name: str | None = Field(description="显示名称")
    role: str = Field(description="角色代码：admin、city、town、viewer")
    role_name: str = Field(description="角色名称")
    division_code: str | None = Field(description="所属镇街的行政区划代码；全市用户为空")
    division_name: str | None = Field(description="所属镇街名称")


class SessionOut(Schema):
    user: UserOut
    csrf: str = Field(description="写操作须在 X-CSRF-Token 请求头中带上的令牌")


class Health(Schema):
    status: str = Field(description="恒为 ok")
    tiles_ready: bool = Field(description="宗地瓦片的低层级是否已生成")
