<?php

// Stand-ins for the Bitrix "main" module classes the module touches. Same names and signatures
// as the real core; behaviour reduced to what the tests observe.

declare(strict_types=1);

namespace Bitrix\Main {
    class SystemException extends \Exception
    {
    }

    class Error
    {
        public function __construct(private string $message, private int|string $code = 0, private mixed $customData = null)
        {
        }

        public function getMessage(): string
        {
            return $this->message;
        }

        public function getCode(): int|string
        {
            return $this->code;
        }

        public function getCustomData(): mixed
        {
            return $this->customData;
        }
    }

    class Result
    {
        /** @var list<Error> */
        protected array $errors = [];
        protected array $data = [];
        protected mixed $id = null;

        public function __construct()
        {
        }

        public function addError(Error $error): static
        {
            $this->errors[] = $error;

            return $this;
        }

        public function isSuccess(): bool
        {
            return $this->errors === [];
        }

        /** @return list<Error> */
        public function getErrors(): array
        {
            return $this->errors;
        }

        /** @return list<string> */
        public function getErrorMessages(): array
        {
            return array_map(static fn (Error $e): string => $e->getMessage(), $this->errors);
        }

        public function setData(array $data): void
        {
            $this->data = $data;
        }

        public function getData(): array
        {
            return $this->data;
        }

        public function setId(mixed $id): void
        {
            $this->id = $id;
        }

        public function getId(): mixed
        {
            return $this->id;
        }
    }

    class EventResult
    {
        public const UNDEFINED = 0;
        public const SUCCESS = 1;
        public const ERROR = 2;

        public function __construct(private int $type, private mixed $parameters = null, private ?string $moduleId = null)
        {
        }

        public function getType(): int
        {
            return $this->type;
        }

        public function getParameters(): mixed
        {
            return $this->parameters;
        }

        public function getModuleId(): ?string
        {
            return $this->moduleId;
        }
    }

    class Event
    {
        private array $results = [];

        public function __construct(private string $moduleId, private string $type, private array $parameters = [])
        {
        }

        public function getModuleId(): string
        {
            return $this->moduleId;
        }

        public function getEventType(): string
        {
            return $this->type;
        }

        public function getParameter(string $key): mixed
        {
            return $this->parameters[$key] ?? null;
        }

        public function getParameters(): array
        {
            return $this->parameters;
        }

        public function send(): void
        {
            $this->results = EventManager::getInstance()->dispatch($this);
        }

        public function getResults(): array
        {
            return $this->results;
        }
    }

    /** Handlers registered "in the database" (registerEventHandler) and at runtime (addEventHandler). */
    class EventManager
    {
        private static ?EventManager $instance = null;
        /** @var list<array{from: string, event: string, module: string, class: string, method: string, compatible: bool}> */
        public array $registered = [];
        /** @var list<array{from: string, event: string, callback: callable}> */
        public array $runtime = [];

        public static function getInstance(): self
        {
            return self::$instance ??= new self();
        }

        public static function reset(): void
        {
            self::$instance = null;
        }

        public function registerEventHandler($fromModuleId, $eventType, $toModuleId, $toClass = '', $toMethod = '', $sort = 100, $toPath = '', $toMethodArg = []): void
        {
            $this->register($fromModuleId, $eventType, $toModuleId, $toClass, $toMethod, false);
        }

        public function registerEventHandlerCompatible($fromModuleId, $eventType, $toModuleId, $toClass = '', $toMethod = '', $sort = 100, $toPath = '', $toMethodArg = []): void
        {
            $this->register($fromModuleId, $eventType, $toModuleId, $toClass, $toMethod, true);
        }

        public function unRegisterEventHandler($fromModuleId, $eventType, $toModuleId, $toClass = '', $toMethod = '', $toPath = '', $toMethodArg = []): void
        {
            $this->registered = array_values(array_filter(
                $this->registered,
                static fn (array $h): bool => !(strtolower($h['from']) === strtolower($fromModuleId)
                    && strtolower($h['event']) === strtolower($eventType)
                    && $h['module'] === $toModuleId && $h['class'] === $toClass && $h['method'] === $toMethod),
            ));
        }

        public function addEventHandler($fromModuleId, $eventType, $callback, $includeFile = false, $sort = 100): void
        {
            $this->runtime[] = ['from' => $fromModuleId, 'event' => $eventType, 'callback' => $callback];
        }

        /** @return list<EventResult|mixed> */
        public function dispatch(Event $event): array
        {
            $results = [];
            foreach ($this->registered as $handler) {
                if ($handler['compatible'] || !self::matches($handler, $event)) {
                    continue;
                }
                $results[] = call_user_func([$handler['class'], $handler['method']], $event);
            }
            foreach ($this->runtime as $handler) {
                if (self::matches($handler, $event)) {
                    $results[] = call_user_func($handler['callback'], $event);
                }
            }

            return array_values(array_filter($results, static fn ($r): bool => $r !== null));
        }

        private function register(string $from, string $event, string $module, string $class, string $method, bool $compatible): void
        {
            $this->registered[] = ['from' => $from, 'event' => $event, 'module' => $module, 'class' => $class, 'method' => $method, 'compatible' => $compatible];
        }

        private static function matches(array $handler, Event $event): bool
        {
            return strtolower($handler['from']) === strtolower($event->getModuleId())
                && strtolower($handler['event']) === strtolower($event->getEventType());
        }
    }

    class Loader
    {
        public static function includeModule($moduleName): bool
        {
            return true;
        }
    }

    class ModuleManager
    {
        /** @var array<string, bool> */
        public static array $installed = ['main' => true, 'sale' => true, 'rest' => true];

        public static function isModuleInstalled($moduleName): bool
        {
            return !empty(self::$installed[$moduleName]);
        }

        public static function registerModule($moduleName): void
        {
            self::$installed[$moduleName] = true;
        }

        public static function unRegisterModule($moduleName): void
        {
            unset(self::$installed[$moduleName]);
        }
    }

    class Application
    {
        private static ?Application $instance = null;
        public static ?DB\Connection $connection = null;
        public array $request = [];

        public static function getInstance(): self
        {
            return self::$instance ??= new self();
        }

        public static function getConnection(): DB\Connection
        {
            return self::$connection ??= new DB\Connection();
        }

        public static function getDocumentRoot(): string
        {
            return '/var/www/shop';
        }

        public function getContext(): object
        {
            $request = $this->request;

            return new class ($request) {
                public function __construct(private array $values)
                {
                }

                public function getRequest(): object
                {
                    $values = $this->values;

                    return new class ($values) {
                        public function __construct(private array $values)
                        {
                        }

                        public function get(string $name): mixed
                        {
                            return $this->values[$name] ?? null;
                        }
                    };
                }
            };
        }
    }
}

namespace Bitrix\Main\DB {
    class SqlQueryException extends \RuntimeException
    {
    }

    /** Records the SQL it is given; knows which tables exist. */
    class Connection
    {
        /** @var list<string> */
        public array $executed = [];
        /** @var array<string, bool> */
        public array $tables = [];

        public function isTableExists($tableName): bool
        {
            return !empty($this->tables[$tableName]);
        }

        public function queryExecute($sql): void
        {
            $this->executed[] = $sql;
            if (preg_match('/^CREATE TABLE (\w+)/', $sql, $m)) {
                $this->tables[$m[1]] = true;
            } elseif (preg_match('/^DROP TABLE (\w+)/', $sql, $m)) {
                unset($this->tables[$m[1]]);
            }
        }

        public function getSqlHelper(): object
        {
            return new class () {
                public function forSql($value): string
                {
                    return addslashes((string) $value);
                }
            };
        }
    }
}

namespace Bitrix\Main\Config {
    class Option
    {
        /** @var array<string, array<string, string>> */
        public static array $values = [];

        public static function get($moduleId, $name, $default = '', $siteId = false): string
        {
            return self::$values[$moduleId][$name] ?? (string) $default;
        }

        public static function set($moduleId, $name, $value = '', $siteId = ''): void
        {
            self::$values[$moduleId][$name] = (string) $value;
        }

        public static function delete($moduleId, array $filter = []): void
        {
            if (isset($filter['name'])) {
                unset(self::$values[$moduleId][$filter['name']]);
            } else {
                unset(self::$values[$moduleId]);
            }
        }
    }
}

namespace Bitrix\Main\Localization {
    /** Reads lang/<LANGUAGE_ID>/<path of the file inside its module> like Bitrix does. */
    class Loc
    {
        /** @var array<string, string> */
        private static array $messages = [];

        public static function loadMessages($file): void
        {
            $dir = dirname((string) $file);
            while ($dir !== '/' && !is_dir($dir . '/lang')) {
                $dir = dirname($dir);
            }
            $language = defined('LANGUAGE_ID') ? (string) constant('LANGUAGE_ID') : 'ru';
            $langFile = $dir . '/lang/' . $language . substr((string) $file, strlen($dir));
            if (is_file($langFile)) {
                $MESS = [];
                include $langFile;
                self::$messages = $MESS + self::$messages;
            }
        }

        public static function getMessage($code, $replace = null, $language = null): ?string
        {
            $text = self::$messages[$code] ?? null;

            return $text !== null && is_array($replace) ? strtr($text, $replace) : $text;
        }
    }
}

namespace Bitrix\Main\Type {
    class Date
    {
        public function __construct(public readonly string $value = '2026-12-03')
        {
        }

        public function toString(): string
        {
            return $this->value;
        }
    }
}

namespace Bitrix\Main\Page {
    class Asset
    {
        private static ?Asset $instance = null;
        /** @var list<string> */
        public array $js = [];

        public static function getInstance(): self
        {
            return self::$instance ??= new self();
        }

        public static function reset(): void
        {
            self::$instance = null;
        }

        public function addJs($path): bool
        {
            $this->js[] = (string) $path;

            return true;
        }
    }
}
