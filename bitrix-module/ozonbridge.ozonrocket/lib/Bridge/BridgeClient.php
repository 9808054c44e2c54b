<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Bridge;

use OzonBridge\OzonRocket\Money;

/**
 * The bridge's HTTP API (bridge-api.md) for one shop: the only place in the module that does
 * HTTP. Every failure is a BridgeError; nothing here throws anything else at a checkout page.
 */
final class BridgeClient
{
    public function __construct(
        private readonly Transport $transport,
        private readonly BridgeEndpoint $endpoint,
    ) {
    }

    /** @param array<string, mixed> $body */
    public function calculate(array $body): CalculateAnswer
    {
        $data = $this->send('POST', '/api/v1/calculate', $body, $this->endpoint->calculateTimeout)[1];
        $options = [];
        foreach (is_array($data['options'] ?? null) ? $data['options'] : [] as $option) {
            if (is_array($option)) {
                $options[] = self::quote($option);
            }
        }
        $selected = is_array($data['selected'] ?? null) ? self::quote($data['selected']) : null;

        return new CalculateAnswer($options, $selected, (bool) ($data['cached'] ?? false), (bool) ($data['fallback'] ?? false));
    }

    /**
     * Mirrors a delivery service's settings: PUT .../delivery-services/{id}.
     *
     * @param array<string, mixed> $body {"params", "pricing", "default_package"}
     * @return bool true when the bridge created it, false when it replaced it
     */
    public function putDeliveryService(int $bitrixDeliveryId, array $body): bool
    {
        $path = sprintf(
            '/api/v1/shops/%s/delivery-services/%d',
            rawurlencode($this->endpoint->shopId),
            $bitrixDeliveryId,
        );

        return $this->send('PUT', $path, $body, BridgeEndpoint::SLOW_TIMEOUT)[0] === 201;
    }

    /** @param array<string, mixed> $body a ShipmentCreate */
    public function createShipment(array $body): ShipmentAnswer
    {
        [$status, $data] = $this->send('POST', '/api/v1/shipments', $body, BridgeEndpoint::SLOW_TIMEOUT);

        return self::shipment($data, $status === 201);
    }

    public function cancelShipment(string $shipmentId): ShipmentAnswer
    {
        $path = '/api/v1/shipments/' . rawurlencode($shipmentId) . '/cancel';

        return self::shipment($this->send('POST', $path, null, BridgeEndpoint::SLOW_TIMEOUT)[1]);
    }

    /** @return list<ShipmentAnswer> this shop's shipments of one Bitrix order, newest first */
    public function findShipments(int $bitrixOrderId, float $timeout = BridgeEndpoint::SLOW_TIMEOUT): array
    {
        $data = $this->send('GET', '/api/v1/shipments?bitrix_order_id=' . $bitrixOrderId, null, $timeout)[1];
        $found = [];
        foreach (is_array($data['items'] ?? null) ? $data['items'] : [] as $item) {
            if (is_array($item)) {
                $found[] = self::shipment($item);
            }
        }

        return $found;
    }

    /**
     * @param array<string, mixed>|null $body
     * @return array{0: int, 1: array<string, mixed>}
     */
    private function send(string $method, string $path, ?array $body, float $timeout): array
    {
        $requestId = 'bx-' . bin2hex(random_bytes(8));
        $headers = [
            'Authorization' => 'Bearer ' . $this->endpoint->token,
            'Accept' => 'application/json',
            'X-Request-Id' => $requestId,
        ];
        $payload = null;
        if ($body !== null) {
            $headers['Content-Type'] = 'application/json';
            try {
                $payload = json_encode(
                    $body,
                    JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_PRESERVE_ZERO_FRACTION
                    | JSON_INVALID_UTF8_SUBSTITUTE | JSON_THROW_ON_ERROR,
                );
            } catch (\JsonException $e) {
                throw new BridgeError(0, 'The request could not be encoded: ' . $e->getMessage(), [], $requestId);
            }
        }
        if (!$this->endpoint->isComplete()) {
            throw new BridgeError(0, 'The bridge URL, shop id or shop token is not set', [], $requestId);
        }
        try {
            $response = $this->transport->request(
                $method,
                $this->endpoint->url($path),
                $headers,
                $payload,
                min(BridgeEndpoint::CONNECT_TIMEOUT, $timeout),
                $timeout,
            );
        } catch (TransportException $e) {
            throw new BridgeError(0, 'The bridge did not answer: ' . $e->getMessage(), [], $requestId);
        }

        $data = json_decode($response->body, true);
        if ($response->status >= 200 && $response->status < 300) {
            if (!is_array($data)) {
                throw new BridgeError($response->status, 'The bridge answered with something other than JSON', [], $requestId);
            }

            return [$response->status, $data];
        }
        throw self::problem($response->status, is_array($data) ? $data : null, $requestId);
    }

    /** @param array<string, mixed>|null $data problem+json */
    private static function problem(int $status, ?array $data, string $requestId): BridgeError
    {
        $detail = '';
        if ($data !== null) {
            $detail = (string) ($data['detail'] ?? $data['title'] ?? '');
            $requestId = (string) ($data['request_id'] ?? $requestId);
        }
        $errors = [];
        foreach (is_array($data['errors'] ?? null) ? $data['errors'] : [] as $error) {
            if (!is_array($error)) {
                continue;
            }
            $loc = is_array($error['loc'] ?? null) ? implode('.', array_map('strval', $error['loc'])) : '';
            $errors[] = ['loc' => $loc, 'msg' => (string) ($error['msg'] ?? '')];
        }

        return new BridgeError($status, $detail !== '' ? $detail : 'The bridge refused the request', $errors, $requestId);
    }

    /** @param array<string, mixed> $data */
    private static function quote(array $data): Quote
    {
        return new Quote(
            optionId: (string) ($data['option_id'] ?? ''),
            deliveryType: isset($data['delivery_type']) ? (string) $data['delivery_type'] : null,
            tariff: (string) ($data['tariff'] ?? ''),
            priceKopecks: Money::toKopecks($data['price'] ?? null) ?? 0,
            daysMin: isset($data['days_min']) ? (int) $data['days_min'] : null,
            daysMax: isset($data['days_max']) ? (int) $data['days_max'] : null,
            description: (string) ($data['description'] ?? ''),
        );
    }

    /** @param array<string, mixed> $data */
    private static function shipment(array $data, bool $created = false): ShipmentAnswer
    {
        $nullable = static fn (mixed $v): ?string => $v === null || $v === '' ? null : (string) $v;

        return new ShipmentAnswer(
            id: (string) ($data['id'] ?? ''),
            bitrixOrderId: (int) ($data['bitrix_order_id'] ?? 0),
            bitrixShipmentId: (int) ($data['bitrix_shipment_id'] ?? 0),
            ozonOrderId: $nullable($data['ozon_order_id'] ?? null),
            trackingNumber: $nullable($data['tracking_number'] ?? null),
            status: (string) ($data['status'] ?? ''),
            lastError: $nullable($data['last_error'] ?? null),
            created: $created,
        );
    }
}
