// async-exit-hook ships no types; this declares the one call Shipshape makes.
declare module "async-exit-hook" {
  interface AsyncExitHook {
    /** Stops handling a process event or signal that the package hooked. */
    unhookEvent(event: string): void;
  }
  const asyncExitHook: AsyncExitHook;
  export default asyncExitHook;
}
