// A small typed in-process event bus: a module announces what happened, others react, and the announcer never
// names them (Vendure's EventBus, in-process only). Events are classes; subscribers register by class when built.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type EventType<E> = new (...args: any[]) => E;
export type EventHandler<E> = (event: E) => Promise<void> | void;

export class EventBus {
  private readonly handlers = new Map<EventType<unknown>, EventHandler<never>[]>();

  subscribe<E>(type: EventType<E>, handler: EventHandler<E>): void {
    this.handlers.set(type, [...(this.handlers.get(type) ?? []), handler]);
  }

  /**
   * Runs every subscriber of the event's class and resolves when all have finished, so an announcement whose
   * reactions must land before the caller answers (cache invalidation across instances) can be awaited. A
   * subscriber's failure rejects the publish, after the others have run.
   */
  async publish<E extends object>(event: E): Promise<void> {
    const handlers = (this.handlers.get(event.constructor as EventType<E>) ?? []) as EventHandler<E>[];
    const results = await Promise.allSettled(handlers.map(async (handler) => handler(event)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  }
}
