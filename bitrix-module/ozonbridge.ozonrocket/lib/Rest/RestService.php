<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Rest;

use Bitrix\Rest\RestException;
use OzonBridge\OzonRocket\Refund\Refunder;
use OzonBridge\OzonRocket\Services;

/**
 * The REST methods the bridge calls (bitrix-module-rest.md), registered on
 * rest:OnRestServiceBuildDescription in scope `sale`, so the shop's inbound webhook with
 * `sale` rights reaches them like any sale.* method.
 */
final class RestService
{
    public const SCOPE = 'sale';
    public const PARTIAL_APPLY = 'ozonrocket.partial.apply';
    public const SHIPMENT_STATUS = 'ozonrocket.shipment.status';

    private function __construct()
    {
    }

    /** @return array<string, array<string, array{callback: callable, options: array<string, mixed>}>> */
    public static function onRestServiceBuildDescription(): array
    {
        return [
            self::SCOPE => [
                self::PARTIAL_APPLY => ['callback' => [self::class, 'partialApply'], 'options' => []],
                self::SHIPMENT_STATUS => ['callback' => [self::class, 'shipmentStatus'], 'options' => []],
            ],
        ];
    }

    /**
     * @param array<string, mixed>|mixed $query
     * @return array<string, mixed>
     */
    public static function partialApply($query, $nav = null, $server = null): array
    {
        return self::run(static function () use ($query): array {
            $request = PartialApplyRequest::fromQuery(is_array($query) ? $query : []);
            $applier = new PartialApplier(
                Services::operations(),
                new Refunder(Services::options(), Services::logger()),
                Services::options(),
                Services::logger(),
            );

            return $applier->apply($request);
        });
    }

    /**
     * @param array<string, mixed>|mixed $query
     * @return array<string, mixed>
     */
    public static function shipmentStatus($query, $nav = null, $server = null): array
    {
        return self::run(static fn (): array => (new ShipmentStatusSetter())->apply(is_array($query) ? $query : []));
    }

    /** @param callable(): array<string, mixed> $work */
    private static function run(callable $work): array
    {
        if (!Access::canManageOrders()) {
            throw new RestException('Managing orders needs the sale module\'s write access', 'ACCESS_DENIED', \CRestServer::STATUS_FORBIDDEN);
        }
        try {
            return $work();
        } catch (ModuleError $e) {
            throw new RestException($e->getMessage(), $e->errorCode, \CRestServer::STATUS_WRONG_REQUEST);
        } catch (RestException $e) {
            throw $e;
        } catch (\Throwable $e) {
            Services::logger()->warning('REST_FAILED', get_class($e) . ': ' . $e->getMessage());

            throw new RestException('The module failed: ' . get_class($e), 'OZONROCKET_INTERNAL', \CRestServer::STATUS_INTERNAL);
        }
    }
}
