<?php

// Stand-ins for Bitrix's global-namespace API the module touches: CModule and the installer's
// helpers, the REST server's constants and exception, the legacy sale API (payer types, order
// properties, the inner account), and the $USER / $APPLICATION globals.

declare(strict_types=1);

namespace Bitrix\Rest {
    class RestException extends \Exception
    {
        public function __construct($message, private $errorCode = '', private $status = 0, ?\Throwable $previous = null)
        {
            parent::__construct((string) $message, 0, $previous);
        }

        public function getErrorCode(): string
        {
            return (string) $this->errorCode;
        }

        public function getStatus(): string
        {
            return (string) $this->status;
        }
    }
}

namespace {
    class CModule
    {
    }

    class CRestServer
    {
        public const STATUS_OK = '200 OK';
        public const STATUS_WRONG_REQUEST = '400 Bad Request';
        public const STATUS_UNAUTHORIZED = '401 Unauthorized';
        public const STATUS_FORBIDDEN = '403 Forbidden';
        public const STATUS_NOT_FOUND = '404 Not Found';
        public const STATUS_INTERNAL = '500 Internal Server Error';
    }

    /** The legacy inner-account API: the credits land in a log the tests read. */
    class CSaleUserAccount
    {
        /** @var list<array{userId: int, sum: float, currency: string, description: string, orderId: int, notes: string, paymentId: int|null}> */
        public static array $updates = [];
        public static bool $succeeds = true;
        /** @var array<int, bool> user id => the account is locked by an administrator */
        public static array $locked = [];

        public static function UpdateAccount($userID, $sum, $currency, $description = '', $orderID = 0, $notes = '', $paymentId = null): bool
        {
            if (!self::$succeeds) {
                return false;
            }
            self::$updates[] = ['userId' => (int) $userID, 'sum' => (float) $sum, 'currency' => (string) $currency, 'description' => (string) $description, 'orderId' => (int) $orderID, 'notes' => (string) $notes, 'paymentId' => $paymentId !== null ? (int) $paymentId : null];

            return true;
        }

        /** @return array<string, mixed>|false */
        public static function GetByUserId($userID, $currency)
        {
            return ['USER_ID' => (int) $userID, 'CURRENCY' => (string) $currency, 'CURRENT_BUDGET' => 0.0, 'LOCKED' => !empty(self::$locked[(int) $userID]) ? 'Y' : 'N'];
        }
    }

    /** A list result of the legacy API: ->Fetch() row by row. */
    class TestDbResult
    {
        public function __construct(private array $rows)
        {
        }

        public function Fetch(): array|false
        {
            return array_shift($this->rows) ?? false;
        }
    }

    class CSalePersonType
    {
        public static array $rows = [['ID' => 1], ['ID' => 2]];

        public static function GetList($order = [], $filter = []): TestDbResult
        {
            return new TestDbResult(self::$rows);
        }
    }

    class CSaleOrderPropsGroup
    {
        public static array $rows = [['ID' => 5, 'PERSON_TYPE_ID' => 1]];
        public static int $nextId = 50;

        public static function GetList($order = [], $filter = []): TestDbResult
        {
            return new TestDbResult(array_values(array_filter(self::$rows, static fn (array $r): bool => (int) $r['PERSON_TYPE_ID'] === (int) ($filter['PERSON_TYPE_ID'] ?? 0))));
        }

        public static function Add($fields): int
        {
            self::$rows[] = ['ID' => ++self::$nextId] + $fields;

            return self::$nextId;
        }
    }

    class CSaleOrderProps
    {
        /** @var array<int, array<string, mixed>> */
        public static array $rows = [];
        public static int $nextId = 100;

        public static function GetList($order = [], $filter = []): TestDbResult
        {
            return new TestDbResult(array_values(array_filter(self::$rows, static function (array $row) use ($filter): bool {
                foreach ($filter as $key => $value) {
                    if ((string) ($row[$key] ?? '') !== (string) $value) {
                        return false;
                    }
                }

                return true;
            })));
        }

        public static function Add($fields): int
        {
            $id = ++self::$nextId;
            self::$rows[$id] = ['ID' => $id] + $fields;

            return $id;
        }

        public static function Delete($id): bool
        {
            unset(self::$rows[(int) $id]);

            return true;
        }
    }

    /** $USER */
    class TestUser
    {
        public function __construct(public bool $admin = true)
        {
        }

        public function IsAdmin(): bool
        {
            return $this->admin;
        }
    }

    /** $APPLICATION */
    class TestApplication
    {
        public string $saleRight = 'W';
        public ?string $exception = null;
        public ?string $includedAdminFile = null;

        public function GetGroupRight($moduleId): string
        {
            return $moduleId === 'sale' ? $this->saleRight : 'D';
        }

        public function ThrowException($message): void
        {
            $this->exception = (string) $message;
        }

        public function IncludeAdminFile($title, $file): void
        {
            $this->includedAdminFile = (string) $file;
        }
    }

    /** @var list<array{string, string}> */
    $GLOBALS['TEST_FILE_OPERATIONS'] = [];

    function CopyDirFiles($from, $to, $rewrite = true, $recursive = false, $deleteAfterCopy = false, $exclude = ''): bool
    {
        $GLOBALS['TEST_FILE_OPERATIONS'][] = ['copy', (string) $from . ' -> ' . (string) $to];

        return true;
    }

    function DeleteDirFilesEx($path): bool
    {
        $GLOBALS['TEST_FILE_OPERATIONS'][] = ['delete', (string) $path];

        return true;
    }
}
