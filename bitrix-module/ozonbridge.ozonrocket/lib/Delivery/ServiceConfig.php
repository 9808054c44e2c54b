<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Delivery;

use OzonBridge\OzonRocket\Bridge\BridgeEndpoint;
use OzonBridge\OzonRocket\Messages;
use OzonBridge\OzonRocket\Money;

/**
 * One Ozon Rocket delivery service's settings as the admin saved them (the handler's CONFIG),
 * typed; and the same settings as the bridge's PUT .../delivery-services/{id} body.
 */
final class ServiceConfig
{
    public const STRATEGIES = ['cheapest', 'fastest', 'fixed'];
    public const ROUNDINGS = ['none', 'ceil_1', 'ceil_10', 'ceil_50'];
    public const DEFAULT_TIMEOUT = 4.0;

    public function __construct(
        public readonly int $deliveryId,
        public readonly BridgeEndpoint $endpoint,
        public readonly string $ozonApiKey,
        public readonly string $sellerId,
        public readonly string $warehouseId,
        public readonly bool $partialAccept,
        public readonly Package $defaultPackage,
        public readonly string $strategy = 'cheapest',
        public readonly ?string $fixedDeliveryType = null,
        public readonly int $markupPercentHundredths = 0,
        public readonly int $markupFixedKopecks = 0,
        public readonly ?int $freeDeliveryFromKopecks = null,
        public readonly string $rounding = 'none',
        public readonly ?int $fallbackPriceKopecks = null,
    ) {
    }

    /**
     * @param array<string, mixed> $config Base::$config: ['MAIN' => [...], 'PACKAGE' => [...], 'PRICING' => [...]]
     */
    public static function fromConfig(int $deliveryId, array $config): self
    {
        $main = self::section($config, 'MAIN');
        $package = self::section($config, 'PACKAGE');
        $pricing = self::section($config, 'PRICING');
        $text = static fn (array $section, string $key, string $default = ''): string => trim((string) ($section[$key] ?? $default));

        $timeout = (float) str_replace(',', '.', $text($main, 'TIMEOUT', (string) self::DEFAULT_TIMEOUT));
        $strategy = $text($pricing, 'STRATEGY', 'cheapest');
        $fixedType = $text($pricing, 'FIXED_DELIVERY_TYPE');
        $rounding = $text($pricing, 'ROUNDING', 'none');

        return new self(
            deliveryId: $deliveryId,
            endpoint: new BridgeEndpoint(
                $text($main, 'BRIDGE_URL'),
                $text($main, 'SHOP_ID'),
                $text($main, 'SHOP_TOKEN'),
                $timeout >= 1.0 && $timeout <= 30.0 ? $timeout : self::DEFAULT_TIMEOUT,
            ),
            ozonApiKey: $text($main, 'OZON_API_KEY'),
            sellerId: $text($main, 'SELLER_ID'),
            warehouseId: $text($main, 'DEFAULT_WAREHOUSE_ID'),
            partialAccept: in_array($main['PARTIAL_ACCEPT'] ?? 'Y', ['Y', true, 1, '1'], true),
            defaultPackage: new Package(
                self::number($package['WEIGHT'] ?? null) ?? 1000,
                self::number($package['LENGTH'] ?? null) ?? 200,
                self::number($package['WIDTH'] ?? null) ?? 150,
                self::number($package['HEIGHT'] ?? null) ?? 100,
            ),
            strategy: in_array($strategy, self::STRATEGIES, true) ? $strategy : 'cheapest',
            fixedDeliveryType: ProfileType::isValid($fixedType) ? $fixedType : null,
            markupPercentHundredths: Money::toKopecks($text($pricing, 'MARKUP_PERCENT', '0')) ?? 0,
            markupFixedKopecks: Money::toKopecks($text($pricing, 'MARKUP_FIXED', '0')) ?? 0,
            freeDeliveryFromKopecks: Money::toKopecks($text($pricing, 'FREE_DELIVERY_FROM')),
            rounding: in_array($rounding, self::ROUNDINGS, true) ? $rounding : 'none',
            fallbackPriceKopecks: Money::toKopecks($text($pricing, 'FALLBACK_PRICE')),
        );
    }

    /**
     * What stops the bridge from accepting these settings, in the admin's words.
     *
     * @return list<string>
     */
    public function problems(): array
    {
        $problems = [];
        if (!$this->endpoint->isComplete()) {
            $problems[] = Messages::get('OZONROCKET_CONFIG_BRIDGE_INCOMPLETE');
        }
        if (mb_strlen($this->ozonApiKey) < 4 || $this->sellerId === '' || $this->warehouseId === '') {
            $problems[] = Messages::get('OZONROCKET_CONFIG_OZON_INCOMPLETE');
        }
        if ($this->strategy === 'fixed' && $this->fixedDeliveryType === null) {
            $problems[] = Messages::get('OZONROCKET_CONFIG_FIXED_NEEDS_TYPE');
        }

        return $problems;
    }

    /** @return array<string, mixed> the body of PUT /api/v1/shops/{shop_id}/delivery-services/{id} */
    public function toBridgePayload(): array
    {
        $optionalMoney = static fn (?int $kopecks): ?float => $kopecks === null ? null : Money::toFloat($kopecks);

        return [
            'params' => [
                'OZON_API_KEY' => $this->ozonApiKey,
                'SELLER_ID' => $this->sellerId,
                'DEFAULT_WAREHOUSE_ID' => $this->warehouseId,
                'PARTIAL_ACCEPT' => $this->partialAccept,
            ],
            'pricing' => [
                'strategy' => $this->strategy,
                'fixed_delivery_type' => $this->strategy === 'fixed' ? $this->fixedDeliveryType : null,
                'markup_percent' => Money::toFloat($this->markupPercentHundredths),
                'markup_fixed' => Money::toFloat($this->markupFixedKopecks),
                'free_delivery_from' => $optionalMoney($this->freeDeliveryFromKopecks),
                'rounding' => $this->rounding,
                'fallback_price' => $optionalMoney($this->fallbackPriceKopecks),
            ],
            'default_package' => $this->defaultPackage->toArray(),
        ];
    }

    /** @param array<string, mixed> $config @return array<string, mixed> */
    private static function section(array $config, string $name): array
    {
        return is_array($config[$name] ?? null) ? $config[$name] : [];
    }

    private static function number(mixed $value): ?float
    {
        if (is_int($value) || is_float($value)) {
            return $value > 0 ? (float) $value : null;
        }
        $clean = str_replace(',', '.', trim((string) $value));

        return is_numeric($clean) && (float) $clean > 0 ? (float) $clean : null;
    }
}
