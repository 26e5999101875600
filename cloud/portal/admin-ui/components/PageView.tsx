/** The page the route names. */
import type { Route } from '../routes.js';
import { Audit } from '../pages/Audit.js';
import { Dashboard } from '../pages/Dashboard.js';
import { DeviceDetail } from '../pages/DeviceDetail.js';
import { Devices } from '../pages/Devices.js';
import { EnrollmentTokens } from '../pages/EnrollmentTokens.js';
import { NotFound } from '../pages/NotFound.js';
import { Policy } from '../pages/Policy.js';
import { Simulator } from '../pages/Simulator.js';
import { TicketDetail } from '../pages/TicketDetail.js';
import { Tickets } from '../pages/Tickets.js';
import { Users } from '../pages/Users.js';

export function PageView({ route }: { route: Route }) {
  switch (route.page) {
    case 'dashboard':
      return <Dashboard />;
    case 'devices':
      return <Devices />;
    case 'device':
      return <DeviceDetail key={route.id} id={route.id} />;
    case 'policy':
      return <Policy />;
    case 'simulator':
      return <Simulator />;
    case 'users':
      return <Users />;
    case 'enrollment':
      return <EnrollmentTokens />;
    case 'tickets':
      return <Tickets />;
    case 'ticket':
      return <TicketDetail key={route.id} id={route.id} />;
    case 'audit':
      return <Audit />;
    case 'not-found':
      return <NotFound path={route.path} />;
  }
}
