<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Rest;

use OzonBridge\OzonRocket\Money;

/**
 * The ozonrocket.partial.apply call, checked for shape. Numbers may arrive as strings (a batch
 * command is a query string), so "349.90" and 349.9 read the same.
 */
final class PartialApplyRequest
{
    /**
     * @param list<array{basketId: int, acceptedQuantity: float}> $lines
     * @param array{amount: int, reason: string}|null $refund amount in kopecks
     */
    public function __construct(
        public readonly int $orderId,
        public readonly int $shipmentId,
        public readonly string $operationId,
        public readonly array $lines,
        public readonly ?int $deliveryPriceKopecks,
        public readonly ?array $refund,
        public readonly string $comment,
    ) {
    }

    /** @param array<string, mixed> $query */
    public static function fromQuery(array $query): self
    {
        $operationId = $query['operationId'] ?? null;
        if (!is_string($operationId) || trim($operationId) === '' || strlen($operationId) > 100) {
            throw new ModuleError(ModuleError::BAD_REQUEST, 'operationId is required (a string of at most 100 characters)');
        }
        $orderId = self::positiveInt($query['orderId'] ?? null);
        if ($orderId === null) {
            throw new ModuleError(ModuleError::ORDER_NOT_FOUND, sprintf('Order %s not found', self::show($query['orderId'] ?? null)));
        }
        $shipmentId = self::positiveInt($query['shipmentId'] ?? null);
        if ($shipmentId === null) {
            throw new ModuleError(ModuleError::ORDER_NOT_FOUND, sprintf('Shipment %s is not in order %d', self::show($query['shipmentId'] ?? null), $orderId));
        }

        return new self(
            orderId: $orderId,
            shipmentId: $shipmentId,
            operationId: trim($operationId),
            lines: self::lines($query['lines'] ?? null),
            deliveryPriceKopecks: self::optionalMoney($query['deliveryPrice'] ?? null, 'deliveryPrice'),
            refund: self::refund($query['refund'] ?? null),
            comment: is_string($query['comment'] ?? null) ? trim($query['comment']) : '',
        );
    }

    /** @return list<array{basketId: int, acceptedQuantity: float}> */
    private static function lines(mixed $raw): array
    {
        if (!is_array($raw) || $raw === []) {
            throw new ModuleError(ModuleError::BAD_LINES, 'lines must list at least one basket line');
        }
        $lines = [];
        foreach (array_values($raw) as $position => $entry) {
            if (!is_array($entry)) {
                throw new ModuleError(ModuleError::BAD_LINES, sprintf('lines[%d] is not an object', $position));
            }
            $basketId = self::positiveInt($entry['basketId'] ?? null);
            if ($basketId === null) {
                throw new ModuleError(ModuleError::BAD_LINES, sprintf('lines[%d]: basketId %s is not a basket line id', $position, self::show($entry['basketId'] ?? null)));
            }
            $accepted = $entry['acceptedQuantity'] ?? null;
            if (!is_numeric($accepted) || (float) $accepted < 0) {
                throw new ModuleError(ModuleError::BAD_LINES, sprintf('lines[%d]: acceptedQuantity %s is not a number of at least 0', $position, self::show($accepted)));
            }
            $lines[] = ['basketId' => $basketId, 'acceptedQuantity' => (float) $accepted];
        }

        return $lines;
    }

    /** @return array{amount: int, reason: string}|null */
    private static function refund(mixed $raw): ?array
    {
        if ($raw === null || $raw === '') {
            return null;
        }
        if (!is_array($raw)) {
            throw new ModuleError(ModuleError::BAD_REQUEST, 'refund must be an object or null');
        }
        $amount = self::optionalMoney($raw['amount'] ?? null, 'refund.amount');
        if ($amount === null) {
            throw new ModuleError(ModuleError::BAD_REQUEST, 'refund.amount is required');
        }

        return ['amount' => $amount, 'reason' => is_string($raw['reason'] ?? null) ? trim($raw['reason']) : ''];
    }

    private static function optionalMoney(mixed $raw, string $name): ?int
    {
        if ($raw === null || $raw === '') {
            return null;
        }
        $kopecks = Money::toKopecks($raw);
        if ($kopecks === null || $kopecks < 0) {
            throw new ModuleError(ModuleError::BAD_REQUEST, $name . ' must be a non-negative number');
        }

        return $kopecks;
    }

    private static function positiveInt(mixed $raw): ?int
    {
        if (is_int($raw)) {
            return $raw > 0 ? $raw : null;
        }
        if (is_string($raw) && ctype_digit($raw) && (int) $raw > 0) {
            return (int) $raw;
        }
        if (is_float($raw) && $raw > 0 && floor($raw) === $raw) {
            return (int) $raw;
        }

        return null;
    }

    private static function show(mixed $value): string
    {
        return is_scalar($value) ? var_export($value, true) : get_debug_type($value);
    }
}
