"""Bitrix REST errors as the emulator raises them: an HTTP status, a code and a description."""

from __future__ import annotations

# Codes Bitrix's sale module answers with (b24restdocs); `0` is Bitrix's "other error" code and
# really is the number zero in the JSON, which a client testing `if body.get("error")` misses.
ERR_OTHER = 0
ERR_PARAMETER = 100
ERR_ORDER_NOT_FOUND = 200540400001
ERR_BASKET_ITEM_NOT_FOUND = 200140400001
ERR_SHIPMENT_NOT_FOUND = 201140400001
ERR_SHIPMENT_ITEM_NOT_FOUND = 201240400001
ERR_PAYMENT_NOT_FOUND = 200640400001
ERR_STATUS_DUPLICATE = 201350000001
ERR_STATUS_BAD_TYPE = 201350000003
ERR_STATUS_EMPTY_ID = 201350000004
ERR_STATUS_ID_TOO_LONG = 201350000005
ERR_STATUS_LANG_DUPLICATE = 201750000003
ERR_STATUS_LANG_BAD_LID = 201750000004
INVALID_VALUE = "BX_INVALID_VALUE"


class RestError(Exception):
    """One Bitrix REST error; `code` is a string or a number, exactly as Bitrix sends it."""

    def __init__(self, status: int, code: str | int, description: str) -> None:
        super().__init__(f"{code}: {description}")
        self.status = status
        self.code = code
        self.description = description

    def body(self) -> dict[str, object]:
        return {"error": self.code, "error_description": self.description}


def bad_request(code: str | int, description: str) -> RestError:
    # Every sale.* failure (not-found included) is HTTP 400 in Bitrix; 404 is only for methods.
    return RestError(400, code, description)


def missing_parameter(name: str) -> RestError:
    return bad_request(ERR_PARAMETER, f"Could not find value for parameter {{{name}}}")


def wrong_parameter_type(name: str, value: object, expected: str) -> RestError:
    return bad_request(
        ERR_PARAMETER,
        f"Invalid value {value} to match with parameter {{{name}}}. "
        f"Should be value of type {expected}.",
    )


def required_fields(names: list[str]) -> RestError:
    return bad_request(ERR_OTHER, "Required fields: " + ", ".join(names))


def invalid_value(description: str) -> RestError:
    return bad_request(INVALID_VALUE, description)


def method_not_found() -> RestError:
    return RestError(404, "ERROR_METHOD_NOT_FOUND", "Method not found!")


def invalid_credentials() -> RestError:
    return RestError(401, "INVALID_CREDENTIALS", "Invalid request credentials")


def no_auth_found() -> RestError:
    return RestError(401, "NO_AUTH_FOUND", "Wrong authorization data")


def query_limit_exceeded() -> RestError:
    return RestError(503, "QUERY_LIMIT_EXCEEDED", "Too many requests")


def overload_limit() -> RestError:
    return RestError(503, "OVERLOAD_LIMIT", "REST API is blocked due to overload.")


def operation_time_limit() -> RestError:
    return RestError(429, "OPERATION_TIME_LIMIT", "Method is blocked due to operation time limit.")


def internal_server_error() -> RestError:
    return RestError(500, "INTERNAL_SERVER_ERROR", "Internal server error")


def module_error(code: str, description: str) -> RestError:
    return RestError(400, code, description)
