<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Tests;

use OzonBridge\OzonRocket\Bridge\Transport;
use OzonBridge\OzonRocket\Bridge\TransportException;
use OzonBridge\OzonRocket\Bridge\TransportResponse;

/** The bridge, answered by a route function; every request is kept for the test to read. */
final class FakeTransport implements Transport
{
    /** @var list<array{method: string, path: string, url: string, headers: array<string, string>, body: mixed, timeout: float}> */
    public array $requests = [];

    /** @var \Closure(string, string, mixed): (TransportResponse|TransportException) */
    private \Closure $route;

    /** @param callable(string $method, string $path, mixed $body): (TransportResponse|TransportException) $route */
    public function __construct(callable $route)
    {
        $this->route = \Closure::fromCallable($route);
    }

    /** A bridge that answers nothing: every call fails like a refused connection. */
    public static function down(): self
    {
        return new self(static fn (): TransportException => new TransportException('Connection refused'));
    }

    public static function json(int $status, array $body, string $contentType = 'application/json'): TransportResponse
    {
        return new TransportResponse($status, (string) json_encode($body, JSON_UNESCAPED_UNICODE), $contentType);
    }

    public static function problem(int $status, string $detail, array $errors = []): TransportResponse
    {
        $body = ['type' => 'about:blank', 'title' => 'Error', 'status' => $status, 'detail' => $detail, 'request_id' => 'req-1'];
        if ($errors !== []) {
            $body['errors'] = $errors;
        }

        return self::json($status, $body, 'application/problem+json');
    }

    public function request(string $method, string $url, array $headers, ?string $body, float $connectTimeout, float $timeout): TransportResponse
    {
        $path = (string) preg_replace('#^https?://[^/]+#', '', $url);
        $decoded = $body !== null ? json_decode($body, true) : null;
        $this->requests[] = ['method' => $method, 'path' => $path, 'url' => $url, 'headers' => $headers, 'body' => $decoded, 'timeout' => $timeout];
        $answer = ($this->route)($method, $path, $decoded);
        if ($answer instanceof TransportException) {
            throw $answer;
        }

        return $answer;
    }

    /** @return list<array{method: string, path: string, url: string, headers: array<string, string>, body: mixed, timeout: float}> */
    public function to(string $method, string $pathPrefix): array
    {
        return array_values(array_filter(
            $this->requests,
            static fn (array $r): bool => $r['method'] === $method && str_starts_with($r['path'], $pathPrefix),
        ));
    }
}
