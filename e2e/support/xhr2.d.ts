// xhr2 ships no types: an XMLHttpRequest for Node, which dicomweb-client needs (it is a browser library).
declare module 'xhr2' {
  const XMLHttpRequest: new () => object;
  export default XMLHttpRequest;
}
