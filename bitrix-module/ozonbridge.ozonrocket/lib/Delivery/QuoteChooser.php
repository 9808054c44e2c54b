<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Delivery;

use OzonBridge\OzonRocket\Bridge\CalculateAnswer;
use OzonBridge\OzonRocket\Bridge\Quote;

/**
 * Which of the bridge's options a profile shows. The bridge's `selected` follows the service's
 * strategy across all types; a profile shows one type, so it takes `selected` when it is of its
 * type and otherwise the cheapest option of its type (prices are already after the shop's rules).
 */
final class QuoteChooser
{
    private function __construct()
    {
    }

    public static function choose(CalculateAnswer $answer, string $profileType): ?Quote
    {
        if ($answer->fallback) {
            return $answer->selected; // Ozon unreachable: the service's fallback price, whatever the type
        }
        $selected = $answer->selected;
        if ($selected !== null && $selected->deliveryType === $profileType) {
            return $selected;
        }
        $best = null;
        foreach ($answer->options as $option) {
            if ($option->deliveryType !== $profileType) {
                continue;
            }
            if ($best === null || self::key($option) < self::key($best)) {
                $best = $option;
            }
        }

        return $best;
    }

    /** @return array{int, int, int} cheapest, then the faster */
    private static function key(Quote $quote): array
    {
        return [$quote->priceKopecks, $quote->daysMax ?? PHP_INT_MAX, $quote->daysMin ?? PHP_INT_MAX];
    }
}
