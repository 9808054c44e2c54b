<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket;

/**
 * Amounts as integer kopecks: Bitrix hands out floats, the bridge wants 2-decimal numbers,
 * and sums must add up to the kopeck (the bridge refuses a declared_value that does not).
 */
final class Money
{
    private function __construct()
    {
    }

    /** 1746.8, "1746.80", "1 746,80" → 174680; anything else → null. */
    public static function toKopecks(mixed $value): ?int
    {
        if (is_int($value)) {
            return $value * 100;
        }
        if (is_float($value)) {
            return is_finite($value) ? (int) round($value * 100) : null;
        }
        if (!is_string($value)) {
            return null;
        }
        $clean = str_replace([' ', "\u{00A0}", ','], ['', '', '.'], trim($value));
        if ($clean === '' || !preg_match('/^-?\d+(\.\d+)?$/', $clean)) {
            return null;
        }
        [$whole, $fraction] = array_pad(explode('.', $clean, 2), 2, '');
        $negative = str_starts_with($whole, '-');
        $whole = ltrim($whole, '-');
        $fraction = str_pad($fraction, 3, '0');
        $kopecks = (int) $whole * 100 + (int) substr($fraction, 0, 2);
        if ((int) $fraction[2] >= 5) {
            ++$kopecks; // half up, as the bridge rounds
        }

        return $negative ? -$kopecks : $kopecks;
    }

    /** For JSON: 174680 → 1746.8 (json_encode prints the shortest exact form). */
    public static function toFloat(int $kopecks): float
    {
        return $kopecks / 100;
    }

    /** "1 746.80": how amounts read in comments for managers (the bridge writes them alike). */
    public static function format(int $kopecks): string
    {
        $sign = $kopecks < 0 ? '-' : '';
        $abs = abs($kopecks);

        return $sign . number_format(intdiv($abs, 100), 0, '.', ' ') . '.' . sprintf('%02d', $abs % 100);
    }
}
