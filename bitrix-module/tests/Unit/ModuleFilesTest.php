<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Tests\Unit;

use OzonBridge\OzonRocket\Delivery\ProfileType;
use PHPUnit\Framework\TestCase;

/** The module's files as Bitrix and PHP 8.1 take them: strict types, both languages complete. */
final class ModuleFilesTest extends TestCase
{
    private const MODULE = __DIR__ . '/../../ozonbridge.ozonrocket';
    private const LANGUAGES = ['ru', 'en'];
    /** Bitrix's own messages (main module) the installer pages use. */
    private const CORE_MESSAGES = ['MOD_UNINST_WARN', 'MOD_UNINST_DEL'];
    /** Shipment statuses of the bridge (bridge-api.md), shown by ShipmentService::statusTitle(). */
    private const BRIDGE_STATUSES = ['pending', 'created', 'in_transit', 'arrived', 'delivered', 'partial_delivered', 'returned', 'cancelled'];
    /** Functions and syntax newer than PHP 8.1 (the module's minimum). */
    private const AFTER_PHP_81 = ['json_validate', 'mb_str_pad', 'str_increment', 'str_decrement', 'array_find', 'array_any', 'array_all', 'mb_trim', 'ini_parse_quantity', 'memory_reset_peak_usage', 'mysqli_execute_query'];

    public function testEveryPhpFileDeclaresStrictTypes(): void
    {
        $missing = [];
        foreach (self::phpFiles() as $file) {
            if (!preg_match('/\A<\?php\s+declare\(strict_types=1\);/', (string) file_get_contents($file))) {
                $missing[] = self::relative($file);
            }
        }

        self::assertSame([], $missing);
    }

    public function testEveryLanguageFileHasTheSameKeysInRussianAndEnglish(): void
    {
        $ru = self::messagesByFile('ru');
        $en = self::messagesByFile('en');

        self::assertNotSame([], $ru);
        self::assertSame(array_keys($ru), array_keys($en), 'the same language files');
        foreach ($ru as $file => $keys) {
            self::assertSame([], array_values(array_diff($keys, $en[$file])), $file . ': only in ru');
            self::assertSame([], array_values(array_diff($en[$file], $keys)), $file . ': only in en');
        }
    }

    public function testEveryMessageTheCodeAsksForExistsInBothLanguages(): void
    {
        $used = [];
        foreach (self::phpFiles() as $file) {
            if (str_contains($file, '/lang/')) {
                continue;
            }
            // A literal key only ('PREFIX_' . $x is built below).
            preg_match_all("/(?:Messages::get|Loc::getMessage|\\\$m)\\(\\s*'([A-Z0-9_]+)'\\s*[,)]/", (string) file_get_contents($file), $found);
            foreach ($found[1] as $key) {
                $used[$key] = self::relative($file);
            }
        }
        // Keys the code builds from a value: profile titles, bridge statuses, option hints.
        foreach (ProfileType::ALL as $type) {
            $used['OZONROCKET_PROFILE_' . strtoupper($type)] = 'lib/Delivery/ProfileType.php';
        }
        foreach (self::BRIDGE_STATUSES as $status) {
            $used['OZONROCKET_STATUS_' . strtoupper($status)] = 'lib/Shipment/ShipmentService.php';
        }
        preg_match_all("/'(OZONROCKET_OPT_[A-Z0-9_]+)', \\[/", (string) file_get_contents(self::MODULE . '/options.php'), $options);
        foreach ($options[1] as $title) {
            $used[$title . '_HINT'] = 'options.php';
        }
        self::assertGreaterThan(50, count($used));

        foreach (self::LANGUAGES as $language) {
            $defined = array_merge(...array_values(self::messagesByFile($language)));
            $missing = array_diff_key($used, array_flip([...$defined, ...self::CORE_MESSAGES]));
            self::assertSame([], $missing, 'missing in lang/' . $language);
        }
    }

    public function testNothingNeedsAPhpNewerThan81(): void
    {
        $found = [];
        foreach (self::phpFiles() as $file) {
            $tokens = token_get_all((string) file_get_contents($file));
            foreach ($tokens as $i => $token) {
                if (!is_array($token)) {
                    continue;
                }
                if ($token[0] === T_STRING && in_array(strtolower($token[1]), self::AFTER_PHP_81, true)
                    && self::nextSignificant($tokens, $i) === '(') {
                    $found[] = self::relative($file) . ':' . $token[2] . ' ' . $token[1] . '()';
                }
                if ($token[0] === T_READONLY && self::nextSignificantToken($tokens, $i) === T_CLASS) {
                    $found[] = self::relative($file) . ':' . $token[2] . ' readonly class (8.2)';
                }
                if ($token[0] === T_CONST && self::nextSignificantToken($tokens, $i) === T_STRING
                    && self::nextSignificantToken($tokens, self::nextIndex($tokens, $i)) === T_STRING) {
                    $found[] = self::relative($file) . ':' . $token[2] . ' typed class constant (8.3)';
                }
            }
        }

        self::assertSame([], $found);
    }

    /** @return list<string> */
    private static function phpFiles(): array
    {
        $files = [];
        $iterator = new \RecursiveIteratorIterator(new \RecursiveDirectoryIterator(self::MODULE, \FilesystemIterator::SKIP_DOTS));
        foreach ($iterator as $file) {
            if ($file->isFile() && $file->getExtension() === 'php') {
                $files[] = $file->getPathname();
            }
        }
        sort($files);
        self::assertNotSame([], $files);

        return $files;
    }

    /** @return array<string, list<string>> lang file (relative to lang/<language>) => its keys */
    private static function messagesByFile(string $language): array
    {
        $root = self::MODULE . '/lang/' . $language;
        $keys = [];
        $iterator = new \RecursiveIteratorIterator(new \RecursiveDirectoryIterator($root, \FilesystemIterator::SKIP_DOTS));
        foreach ($iterator as $file) {
            if ($file->getExtension() !== 'php') {
                continue;
            }
            $MESS = [];
            include $file->getPathname();
            $keys[substr($file->getPathname(), strlen($root))] = array_keys($MESS);
        }
        ksort($keys);

        return $keys;
    }

    private static function relative(string $file): string
    {
        return substr($file, strlen(self::MODULE) + 1);
    }

    /** @param list<mixed> $tokens */
    private static function nextIndex(array $tokens, int $i): int
    {
        for ($j = $i + 1, $n = count($tokens); $j < $n; ++$j) {
            if (!is_array($tokens[$j]) || !in_array($tokens[$j][0], [T_WHITESPACE, T_COMMENT, T_DOC_COMMENT], true)) {
                return $j;
            }
        }

        return $n;
    }

    /** @param list<mixed> $tokens */
    private static function nextSignificant(array $tokens, int $i): ?string
    {
        $next = $tokens[self::nextIndex($tokens, $i)] ?? null;

        return is_string($next) ? $next : null;
    }

    /** @param list<mixed> $tokens */
    private static function nextSignificantToken(array $tokens, int $i): ?int
    {
        $next = $tokens[self::nextIndex($tokens, $i)] ?? null;

        return is_array($next) ? $next[0] : null;
    }
}
